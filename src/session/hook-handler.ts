import type { MemberSession } from '../coordinator/client.js';
import { planAction, type SessionKind } from './action-plan.js';
import type { HookReply, HookRequest } from './hook-service.js';

/** What the session saw of CRIU while runc ran; the round's own state is the member session's. */
export interface RoundProgress {
  lastAction?: string;
  /** CRIU reached the vote (post-dump, post-restore): its images or tree exist. */
  voted: boolean;
}

const OK: HookReply = { exitCode: 0, message: '' };

/** Answers CRIU's actions from the round: barriers wait, the vote waits for the decision. */
export function makeHookHandler(
  kind: SessionKind,
  session: MemberSession,
  progress: RoundProgress,
) {
  return async (request: HookRequest): Promise<HookReply> => {
    progress.lastAction = request.action;
    const step = planAction(kind, request.action);
    if (step.kind === 'ignore') return OK;
    const aborted = session.outcome?.commit === false ? session.outcome : undefined;
    if (step.kind === 'vote') {
      if (aborted !== undefined) return refuse(aborted.reason ?? 'the group aborted');
      progress.voted = true;
      const decision = await session.vote(true);
      return decision.commit ? OK : refuse(decision.reason ?? 'the group aborted');
    }
    if (step.canAbort && aborted !== undefined)
      return refuse(aborted.reason ?? 'the group aborted');
    try {
      await session.arrive(step.stage);
      return OK;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      // pre-resume cannot cancel a restore: a failed barrier there only stops the wait.
      return step.canAbort ? refuse(reason) : { exitCode: 0, message: reason };
    }
  };
}

function refuse(reason: string): HookReply {
  return { exitCode: 1, message: reason };
}
