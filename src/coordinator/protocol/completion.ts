import { CohortError, ErrorCode } from '../../core/errors.js';
import { settleResume } from './barriers.js';
import type { Ctx } from './context.js';
import type { ConnId } from './effects.js';
import { closeRound } from './outcome.js';
import type { MemberState, Round } from './state.js';

export interface CompletionReport {
  ok: boolean;
  imageLocation?: string;
  reason?: string;
}

/**
 * runc finished for one member after the commit. Returns an error when the report does not fit
 * the round; the ack (to `ackConn`) follows the closing record when this report closes the round.
 */
export function completeMember(
  ctx: Ctx,
  round: Round,
  member: MemberState,
  report: CompletionReport,
  ackConn: ConnId | undefined,
): CohortError | undefined {
  if (round.decision?.commit !== true) {
    return new CohortError(
      ErrorCode.Protocol,
      `complete: round ${round.epoch} of group ${round.group} has no commit yet; report a failure with fail`,
      { details: { group: round.group, member: member.name, epoch: round.epoch } },
    );
  }
  if (member.stage !== 'completed' && member.stage !== 'failed') {
    if (report.imageLocation !== undefined) member.imageLocation = report.imageLocation;
    if (report.ok) member.stage = 'completed';
    else
      markFailed(
        ctx,
        round,
        member,
        `runc failed${report.reason === undefined ? '' : `: ${report.reason}`}`,
      );
    countDone(ctx, round, member);
  }
  if (round.counts.done === round.expected && ctx.state.open.get(round.group) === round) {
    closeRound(ctx, round);
  }
  ctx.fx.send(ackConn, { type: 'ack', epoch: round.epoch, what: 'complete' });
  return undefined;
}

/** A member failed after the commit: the decision stands, the checkpoint cannot be permanent. */
export function failAfterCommit(ctx: Ctx, round: Round, member: MemberState, why: string): void {
  if (member.stage === 'completed' || member.stage === 'failed') return;
  markFailed(ctx, round, member, why);
  countDone(ctx, round, member);
  if (round.counts.done === round.expected && ctx.state.open.get(round.group) === round) {
    closeRound(ctx, round);
  }
}

function markFailed(ctx: Ctx, round: Round, member: MemberState, why: string): void {
  member.stage = 'failed';
  round.lateFailure ??= {
    reason: `committed but not permanent: member ${member.name} failed after commit: ${why}`,
    culprit: member.name,
  };
  ctx.fx.event({
    type: 'member-failed-after-commit',
    group: round.group,
    epoch: round.epoch,
    member: member.name,
    reason: why,
  });
}

function countDone(ctx: Ctx, round: Round, member: MemberState): void {
  round.counts.done += 1;
  settleResume(ctx, round, member);
}
