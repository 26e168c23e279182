import type { Server as HttpServer } from 'node:http';
import { existsSync, unlinkSync } from 'node:fs';
import type * as grpc from '@grpc/grpc-js';
import { CohortError, ErrorCode } from '../core/errors.js';
import { DEFAULT_DEADLINES, mergeDeadlines } from './deadlines.js';
import { parseListenAddress, type ListenAddress } from './listen-address.js';
import { Fleet } from './fleet/fleet.js';
import { CoordinatorMachine } from './protocol/machine.js';
import { buildServer, sessionSerializer } from './server/build-server.js';
import { MachineRunner, type FaultInjection } from './server/machine-runner.js';
import { startHttp } from './server/http.js';
import { bindAll, type ServerTls } from './server/listen.js';
import { silentLogger, type Logger } from './server/logger.js';
import { Metrics } from './server/metrics.js';
import { StateLog } from './store/state-log.js';
import type { Deadlines } from './types.js';

export interface StartCoordinatorOptions {
  /** `unix:///path` or `host:port` (port 0: any free port). */
  listen: string[];
  stateDir: string;
  deadlines?: Partial<Deadlines>;
  /** PEM file paths: the CA that signs client certificates, the server's certificate and key. */
  tls?: ServerTls;
  /** Allows plaintext TCP listeners. */
  insecure?: boolean;
  /** `host:port` for /healthz and /metrics; off when absent. */
  metricsListen?: string;
  /** A pino logger; silent when absent. */
  logger?: Logger;
  clock?: () => number;
  /** How long a node's agent may be away before its members count as lost (default 15 s). */
  agentLossMs?: number;
  /** Test-only fault injection. */
  faults?: FaultInjection;
}

export interface RunningCoordinator {
  /** The bound addresses, with real ports in place of 0. */
  addresses: string[];
  metricsAddress?: string;
  /** Aborts open rounds ("coordinator shutting down"), ends streams, closes the log. */
  stop(): Promise<void>;
  /** Settles if the coordinator stops by itself because its log cannot be written. */
  failed: Promise<CohortError>;
  /** Its node agents and the group operations it runs. */
  fleet: Fleet;
}

/** A node agent gone this long has lost its members: long enough for a restart, short for work. */
export const DEFAULT_AGENT_LOSS_MS = 15_000;

/** Starts a coordinator in this process: replay the log, settle what it left open, listen. */
export async function startCoordinator(
  options: StartCoordinatorOptions,
): Promise<RunningCoordinator> {
  const logger = options.logger ?? silentLogger;
  const addresses = options.listen.map((text) => parseListenAddress(text));
  const metricsAddress =
    options.metricsListen === undefined
      ? undefined
      : parseListenAddress(options.metricsListen, '--metrics-listen');
  if (metricsAddress?.kind === 'unix')
    throw new CohortError(
      ErrorCode.Config,
      '--metrics-listen takes host:port (e.g. 127.0.0.1:9464)',
    );

  const opened = StateLog.open(options.stateDir);
  if (opened.truncated !== undefined) {
    logger.warn(
      { path: opened.log.path, ...opened.truncated, kept: opened.records.length },
      'state-log-truncated',
    );
  }
  const machine = new CoordinatorMachine(mergeDeadlines(DEFAULT_DEADLINES, options.deadlines));
  machine.replay(opened.records);
  let reportFailure: (error: CohortError) => void = () => undefined;
  let failure: CohortError | undefined;
  const failed = new Promise<CohortError>((resolve) => (reportFailure = resolve));
  const metrics = new Metrics(() => machine.connectedCount());
  const runner = new MachineRunner({
    machine,
    backend: opened.log,
    logger,
    metrics,
    serialize: sessionSerializer(),
    clock: options.clock ?? Date.now,
    onFatal: (error) => {
      failure = error;
      reportFailure(error);
    },
    ...(options.faults === undefined ? {} : { faults: options.faults }),
  });
  await runner.recover().catch(() => undefined);
  if (failure !== undefined) {
    // Recovery could not record its aborts: starting would answer from an unrecorded past.
    opened.log.close();
    throw failure;
  }

  const fleet = new Fleet({
    runner,
    logger,
    metrics,
    clock: options.clock ?? Date.now,
    agentLossMs: options.agentLossMs ?? DEFAULT_AGENT_LOSS_MS,
  });
  await fleet.start();
  const server = buildServer(runner, fleet, logger);
  let http: HttpServer | undefined;
  let healthy = true;
  void failed.then(() => (healthy = false));
  try {
    const bound = await bindAll(server, addresses, { logger, ...tlsOptions(options) });
    let stopping: Promise<void> | undefined;
    const running: RunningCoordinator = {
      addresses: bound,
      stop: () => (stopping ??= stop()),
      failed,
      fleet,
    };
    if (metricsAddress !== undefined) {
      const started = await startHttp(metricsAddress, {
        healthy: () => healthy,
        metrics: metrics.registry,
      });
      http = started.server;
      running.metricsAddress = started.address;
    }
    logger.info(
      {
        addresses: bound,
        stateDir: options.stateDir,
        records: opened.records.length,
        ...(running.metricsAddress === undefined ? {} : { metrics: running.metricsAddress }),
      },
      'coordinator-started',
    );
    return running;
  } catch (error) {
    server.forceShutdown();
    opened.log.close();
    throw error;
  }

  async function stop(): Promise<void> {
    healthy = false;
    const drained = shutdownServer(server);
    fleet.stop();
    await runner.shutdown();
    await drained;
    opened.log.close();
    await new Promise<void>((resolve) =>
      http === undefined ? resolve() : http.close(() => resolve()),
    );
    removeSockets(addresses);
    logger.info({ addresses: options.listen }, 'coordinator-stopped');
  }
}

function tlsOptions(options: StartCoordinatorOptions): { tls?: ServerTls; insecure?: boolean } {
  return {
    ...(options.tls === undefined ? {} : { tls: options.tls }),
    ...(options.insecure === undefined ? {} : { insecure: options.insecure }),
  };
}

/** Stops taking calls and waits briefly for streams to flush their last messages. */
function shutdownServer(server: grpc.Server): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, 2_000);
    server.tryShutdown(() => {
      clearTimeout(force);
      resolve();
    });
  });
}

function removeSockets(addresses: ListenAddress[]): void {
  for (const address of addresses) {
    if (address.kind === 'unix' && existsSync(address.path)) unlinkSync(address.path);
  }
}
