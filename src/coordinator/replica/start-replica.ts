import { setTimeout as sleep } from 'node:timers/promises';
import { CohortError, ErrorCode, toCohortError } from '../../core/errors.js';
import type { EtcdOptions, Leadership } from '../../etcd/index.js';
import { DEFAULT_DEADLINES, mergeDeadlines } from '../deadlines.js';
import { silentLogger } from '../server/logger.js';
import { Metrics } from '../server/metrics.js';
import { serve } from '../serving.js';
import {
  DEFAULT_AGENT_LOSS_MS,
  type RunningCoordinator,
  type StartCoordinatorOptions,
} from '../coordinator-options.js';
import { advertisedAddresses } from './advertise.js';
import { connectEtcd } from './connect-etcd.js';
import { buildGate } from './gate.js';
import { LeaderView } from './leader-view.js';
import { campaignValue, notLeaderError } from './refusal.js';
import { Term } from './term.js';

/** After a term ends, before campaigning again: a replica that keeps failing does not spin. */
const RECAMPAIGN_PAUSE_MS = 200;

/**
 * One of several cohortd replicas on one etcd: it listens at once, answers as a follower (every
 * call refused with the leader's address), and campaigns; once elected it loads the state from
 * etcd and serves until it may no longer lead, then follows and campaigns again.
 *
 * A leader that loses its lease stops at once rather than abort its rounds: it cannot record an
 * abort (etcd refuses its writes), and an abort it could not record must not be announced. Its
 * members' streams end; a member that had not voted aborts (CRIU thaws), one that had voted asks
 * the next leader, which aborts every round without a recorded decision and serves the rest.
 */
export async function startReplica(
  options: StartCoordinatorOptions & { etcd: EtcdOptions },
): Promise<RunningCoordinator> {
  const logger = options.logger ?? silentLogger;
  const etcd = await connectEtcd(options.etcd, logger);
  let term: Term | undefined;
  let self: string[] = [];
  let leadership: Leadership | undefined;
  const metrics = new Metrics(() => term?.machine.connectedCount() ?? 0);
  let reportFailure: (error: CohortError) => void = () => undefined;
  const failed = new Promise<CohortError>((resolve) => (reportFailure = resolve));
  let healthy = true;
  const view = new LeaderView(etcd);
  const gate = buildGate(
    () => term?.handlers,
    () => notLeaderError(self, view.leader, view.problem),
  );
  const serving = await serve(
    gate,
    { ...options, logger },
    { healthy: () => healthy, metrics },
  ).catch((error: unknown) => {
    view.stop();
    etcd.close();
    throw error;
  });
  self = advertisedAddresses(options.advertise, serving.addresses);
  const stopping = new AbortController();
  logger.info(
    { addresses: serving.addresses, advertise: self, prefix: etcd.settings.prefix },
    'replica-started',
  );

  const lead = async (won: Leadership): Promise<void> => {
    const started = await Term.start({
      etcd,
      leadership: won,
      deadlines: mergeDeadlines(DEFAULT_DEADLINES, options.deadlines),
      logger,
      metrics,
      clock: options.clock ?? Date.now,
      agentLossMs: options.agentLossMs ?? DEFAULT_AGENT_LOSS_MS,
      ...(options.faults === undefined ? {} : { faults: options.faults }),
    });
    term = started.term;
    logger.info(
      { createRevision: won.createRevision, keys: started.keys, revision: started.revision },
      'leader-elected',
    );
    const why = await Promise.race([won.lost, started.term.ended, abortedWith(stopping)]);
    if (stopping.signal.aborted) return;
    term = undefined;
    started.term.end(why);
    // The name etcd still holds is this replica's own until its key goes: name none meanwhile.
    view.failed(why);
    logger.warn({ code: why.code, message: why.message }, 'leadership-lost');
  };

  const campaignLoop = async (): Promise<void> => {
    while (!stopping.signal.aborted) {
      leadership = undefined;
      try {
        leadership = await etcd.campaign(campaignValue(self), {
          signal: stopping.signal,
          onRetry: (error) => {
            if (view.problem?.code !== error.code)
              logger.warn({ code: error.code, message: error.message }, 'campaign-retry');
            view.failed(error);
          },
        });
        await lead(leadership);
      } catch (error) {
        if (stopping.signal.aborted) return;
        const failure = toCohortError(error);
        if (!isPassing(failure)) throw failure;
        view.failed(failure);
        logger.warn({ code: failure.code, message: failure.message }, 'term-failed');
      }
      if (stopping.signal.aborted) return;
      await leadership?.resign();
      leadership = undefined;
      await sleep(RECAMPAIGN_PAUSE_MS);
    }
  };
  const loop = campaignLoop().catch((error: unknown) => {
    const failure = toCohortError(error);
    logger.error({ code: failure.code, message: failure.message }, 'replica-failed');
    healthy = false;
    reportFailure(failure);
  });

  let stopped: Promise<void> | undefined;
  const stop = async (): Promise<void> => {
    healthy = false;
    const closed = serving.close();
    const leading = term;
    stopping.abort();
    if (leading !== undefined) {
      // Still the leader: record the aborts, then step down so the next leads at once.
      await leading.shutdown();
      term = undefined;
    }
    await loop;
    await leadership?.resign();
    view.stop();
    await closed;
    etcd.close();
    logger.info({ addresses: options.listen }, 'coordinator-stopped');
  };
  return {
    addresses: serving.addresses,
    ...(serving.metricsAddress === undefined ? {} : { metricsAddress: serving.metricsAddress }),
    stop: () => (stopped ??= stop()),
    failed,
    get fleet() {
      return term?.fleet;
    },
  };
}

/** Failures that another attempt may not meet: the replica follows and campaigns again. */
function isPassing(error: CohortError): boolean {
  return (
    error.code === ErrorCode.NotLeader ||
    error.code === ErrorCode.EtcdUnreachable ||
    error.code === ErrorCode.EtcdNoQuorum
  );
}

function abortedWith(controller: AbortController): Promise<CohortError> {
  return new Promise((resolve) =>
    controller.signal.addEventListener(
      'abort',
      () => resolve(new CohortError(ErrorCode.NotLeader, 'the replica is stopping')),
      { once: true },
    ),
  );
}
