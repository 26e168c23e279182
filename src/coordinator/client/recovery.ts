import { CohortError, ErrorCode, isCohortError } from '../../core/errors.js';
import { CoordinatorService as Service } from '../../gen/cohort/v1/coordinator.js';
import type { Decision } from '../client-types.js';
import { encodeCompleteReport } from '../wire/encode.js';
import { decodeDecisionReply } from './decode-reply.js';
import { sleep } from './deferred.js';
import { onLeader } from './on-leader.js';
import type { Replicas } from './replicas.js';
import { callUnary } from './unary.js';

export interface RecoveryTarget {
  replicas: Replicas;
  group: string;
  member: string;
  epoch: number;
  windowMs: number;
}

const RETRY_MS = 250;
/** Several replicas: a new leader serves within about the lease TTL; ask it soon after. */
const REPLICA_RETRY_MS = 100;
const CALL_MS = 2_000;

/**
 * The stream dropped after the vote: ask the coordinator (restarting, or the replica that leads
 * now) for the recorded decision until the window closes. No answer means no commit: the safe
 * outcome.
 */
export async function recoverDecision(t: RecoveryTarget): Promise<Decision> {
  const until = Date.now() + t.windowMs;
  let last = 'no answer';
  while (Date.now() < until) {
    try {
      const reply = decodeDecisionReply(
        await onLeader(
          t.replicas,
          (client, address) =>
            callUnary(
              client,
              address,
              Service.getDecision,
              { group: t.group, epoch: t.epoch },
              callOptions(t, until),
            ),
          { until, resend: true },
        ),
      );
      if (reply.state === 'decided') {
        const { commit, reason, culprit } = reply.decision;
        return {
          commit,
          epoch: t.epoch,
          ...(reason === undefined ? {} : { reason }),
          ...(culprit === undefined ? {} : { culprit }),
        };
      }
      if (reply.state === 'unknown') {
        return noDecision(t, `the coordinator has no record of epoch ${t.epoch}`);
      }
      last = 'the round is still undecided';
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
      if (isCohortError(error) && !waitable(error)) return noDecision(t, last);
    }
    await sleep(Math.min(retryMs(t), Math.max(0, until - Date.now())));
  }
  return noDecision(t, last);
}

/** The stream dropped after the commit: report runc's result by unary call instead. */
export async function reportCompleteAfterLoss(
  t: RecoveryTarget,
  result: { ok: boolean; imageLocation?: string; reason?: string },
): Promise<void> {
  const until = Date.now() + t.windowMs;
  let last: unknown;
  const request = encodeCompleteReport({
    group: t.group,
    epoch: t.epoch,
    member: t.member,
    ...result,
  });
  while (Date.now() < until) {
    try {
      await onLeader(
        t.replicas,
        (client, address) =>
          callUnary(client, address, Service.reportComplete, request, callOptions(t, until)),
        { until, resend: true },
      );
      return;
    } catch (error) {
      last = error;
      if (isCohortError(error) && !waitable(error)) throw error;
    }
    await sleep(Math.min(retryMs(t), Math.max(0, until - Date.now())));
  }
  throw new CohortError(
    ErrorCode.Unreachable,
    `could not report completion of ${t.group}/${t.member} epoch ${t.epoch} to the coordinator at ${t.replicas.address} within ${t.windowMs} ms; the checkpoint will not be permanent`,
    { cause: last, details: { group: t.group, member: t.member, epoch: t.epoch } },
  );
}

function retryMs(t: RecoveryTarget): number {
  return t.replicas.several ? REPLICA_RETRY_MS : RETRY_MS;
}

/** Failures a restarting coordinator or a replica election ends: ask again. */
function waitable(error: CohortError): boolean {
  return error.code === ErrorCode.Unreachable || error.code === ErrorCode.NotLeader;
}

/**
 * One coordinator: queue the call until it is back (a restart). Several: each replica gets a
 * short turn and the next is asked, so a dead leader costs a moment, not the call's deadline.
 */
function callOptions(t: RecoveryTarget, until: number) {
  const timeoutMs = Math.max(1, Math.min(CALL_MS, until - Date.now()));
  return { timeoutMs, waitForReady: !t.replicas.several };
}

function noDecision(t: RecoveryTarget, why: string): Decision {
  return {
    commit: false,
    epoch: t.epoch,
    reason: `no decision from the coordinator at ${t.replicas.address} after the stream dropped: ${why}`,
  };
}
