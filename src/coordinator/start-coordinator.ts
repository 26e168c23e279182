import type { CohortError } from '../core/errors.js';
import type { EtcdOptions } from '../etcd/index.js';
import { DEFAULT_DEADLINES, mergeDeadlines } from './deadlines.js';
import { Fleet } from './fleet/fleet.js';
import { CoordinatorMachine } from './protocol/machine.js';
import { startReplica } from './replica/start-replica.js';
import { buildServer, sessionSerializer } from './server/build-server.js';
import type { ServerTls } from './server/listen.js';
import { silentLogger, type Logger } from './server/logger.js';
import { MachineRunner, type FaultInjection } from './server/machine-runner.js';
import { Metrics } from './server/metrics.js';
import { checkListen, serve } from './serving.js';
import { StateLog } from './store/state-log.js';
import type { Deadlines } from './types.js';

export interface StartCoordinatorOptions {
  /** `unix:///path` or `host:port` (port 0: any free port). */
  listen: string[];
  /** The embedded log's directory (unused with `etcd`). */
  stateDir: string;
  /** Keep state in etcd and run as one of several replicas: the elected one leads, the rest follow. */
  etcd?: EtcdOptions;
  /** What followers tell clients to dial for this replica when it leads; default: its TCP listeners. */
  advertise?: string[];
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
  /** Aborts open rounds ("coordinator shutting down"), ends streams, closes the log (or resigns). */
  stop(): Promise<void>;
  /** Settles if the coordinator stops by itself: its log cannot be written, or etcd refuses it. */
  failed: Promise<CohortError>;
  /** Its node agents and the group operations it runs; with etcd, only while it leads. */
  readonly fleet: Fleet | undefined;
}

/** A node agent gone this long has lost its members: long enough for a restart, short for work. */
export const DEFAULT_AGENT_LOSS_MS = 15_000;

/**
 * Starts a coordinator in this process. With the embedded log: replay it, settle what it left
 * open, listen. With etcd: listen as a follower, and lead when elected (see replica/).
 */
export async function startCoordinator(
  options: StartCoordinatorOptions,
): Promise<RunningCoordinator> {
  checkListen(options);
  if (options.etcd !== undefined) return startReplica({ ...options, etcd: options.etcd });
  return startEmbedded(options);
}

async function startEmbedded(options: StartCoordinatorOptions): Promise<RunningCoordinator> {
  const logger = options.logger ?? silentLogger;
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
  let healthy = true;
  void failed.then(() => (healthy = false));
  const serving = await serve(
    buildServer(runner, fleet, logger),
    { ...options, logger },
    { healthy: () => healthy, metrics },
  ).catch((error: unknown) => {
    fleet.stop();
    opened.log.close();
    throw error;
  });
  logger.info(
    {
      addresses: serving.addresses,
      stateDir: options.stateDir,
      records: opened.records.length,
      ...(serving.metricsAddress === undefined ? {} : { metrics: serving.metricsAddress }),
    },
    'coordinator-started',
  );
  let stopping: Promise<void> | undefined;
  const stop = async (): Promise<void> => {
    healthy = false;
    const closed = serving.close();
    fleet.stop();
    await runner.shutdown();
    await closed;
    opened.log.close();
    logger.info({ addresses: options.listen }, 'coordinator-stopped');
  };
  return {
    addresses: serving.addresses,
    ...(serving.metricsAddress === undefined ? {} : { metricsAddress: serving.metricsAddress }),
    stop: () => (stopping ??= stop()),
    failed,
    fleet,
  };
}
