import { settleResume } from './barriers.js';
import { failAfterCommit } from './completion.js';
import type { Ctx } from './context.js';
import type { AbortKind } from './effects.js';
import { abortRound } from './outcome.js';
import type { MemberState, Round } from './state.js';

/** A member's session is gone (stream dropped or heartbeats missed). */
export function dropMember(
  ctx: Ctx,
  round: Round,
  member: MemberState,
  kind: AbortKind,
  why: string,
): void {
  const conn = member.conn;
  member.conn = undefined;
  if (conn !== undefined) ctx.state.conns.delete(conn);
  if (round.decision === undefined) {
    abortRound(ctx, round, kind, `member ${member.name}'s session was lost: ${why}`, member.name);
    return;
  }
  // After the decision the member may still report by unary call; only the resume wait stops.
  settleResume(ctx, round, member);
}

/** The member said it failed (runc died, CRIU refused): before the decision that aborts all. */
export function failMember(ctx: Ctx, round: Round, member: MemberState, reason: string): void {
  if (round.decision === undefined) {
    abortRound(ctx, round, 'member-failed', `member ${member.name} failed: ${reason}`, member.name);
    return;
  }
  failAfterCommit(ctx, round, member, reason);
}
