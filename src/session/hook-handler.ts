import type { Decision, MemberSession } from '../coordinator/client.js';
import { isCohortError } from '../core/errors.js';
import { planAction, type SessionKind } from './action-plan.js';
import type { HookReply, HookRequest } from './hook-channel.js';

/** What the session learned from the round while runc ran. */
export interface RoundProgress {
  lastAction?: string;
  decision?: Decision;
  abort?: { reason: string; culprit?: string };
}

const OK: HookReply = { exitCode: 0, message: '' };

/** Answers CRIU's actions from the round: barriers wait, the vote waits for the decision. */
export function makeHookHandler(
  kind: SessionKind,
  session: MemberSession,
  progress: RoundProgress,
) {
  session.onAbort((abort) => {
    progress.abort ??= abort;
  });
  return async (request: HookRequest): Promise<HookReply> => {
    progress.lastAction = request.action;
    const step = planAction(kind, request.action);
    if (step.kind === 'ignore') return OK;
    if (step.kind === 'vote') {
      if (progress.abort !== undefined) return refuse(progress.abort.reason);
      const decision = await session.vote(true);
      progress.decision = decision;
      if (decision.commit) return OK;
      progress.abort ??= withCulprit(decision.reason ?? 'aborted', decision.culprit);
      return refuse(decision.reason ?? 'the group aborted');
    }
    if (step.canAbort && progress.abort !== undefined) return refuse(progress.abort.reason);
    try {
      await session.arrive(step.stage);
      return OK;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (isCohortError(error)) {
        const culprit = error.details.culprit;
        progress.abort ??= withCulprit(String(error.details.reason ?? reason), culprit);
      }
      // pre-resume cannot cancel a restore: a failed barrier there only stops the wait.
      return step.canAbort ? refuse(reason) : { exitCode: 0, message: reason };
    }
  };
}

function refuse(reason: string): HookReply {
  return { exitCode: 1, message: reason };
}

function withCulprit(reason: string, culprit: unknown): { reason: string; culprit?: string } {
  return typeof culprit === 'string' && culprit !== '' ? { reason, culprit } : { reason };
}
