import type { CohortError } from '../core/errors.js';
import {
  DEFAULT_AGENT_LOSS_MS,
  type RunningCoordinator,
  type StartCoordinatorOptions,
} from './coordinator-options.js';
import { DEFAULT_DEADLINES, mergeDeadlines } from './deadlines.js';
import { Fleet } from './fleet/fleet.js';
import { CoordinatorMachine } from './protocol/machine.js';
import { startReplica } from './replica/start-replica.js';
import { buildServer, sessionSerializer } from './server/build-server.js';
import { silentLogger } from './server/logger.js';
import { MachineRunner } from './server/machine-runner.js';
import { Metrics } from './server/metrics.js';
import { checkListen, serve } from './serving.js';
import { StateLog } from './store/state-log.js';

export { DEFAULT_AGENT_LOSS_MS, type RunningCoordinator, type StartCoordinatorOptions };

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
