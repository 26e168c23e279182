import { CohortError, ErrorCode } from '../../core/errors.js';
import { checkFrozen, checkVotes } from './barriers.js';
import type { Ctx } from './context.js';
import { abortRound } from './outcome.js';
import type { MemberState, Round } from './state.js';

/** A member's images are written (post-dump) or its tree is restored (post-restore). */
export function handleVote(
  ctx: Ctx,
  round: Round,
  member: MemberState,
  seq: number,
  ok: boolean,
  reason: string | undefined,
): void {
  if (member.stage === 'voted' && ok) {
    // The same vote again: repeat the decision if there is one.
    if (round.decision !== undefined) {
      ctx.fx.send(member.conn, {
        type: 'decision',
        epoch: round.epoch,
        commit: round.decision.commit,
      });
    }
    return;
  }
  const problem = voteProblem(round, member);
  if (problem !== undefined) {
    ctx.fx.send(member.conn, {
      type: 'error',
      seq,
      epoch: round.epoch,
      error: new CohortError(ErrorCode.Protocol, `vote: ${problem}`, {
        details: { group: round.group, member: member.name, epoch: round.epoch },
      }),
    });
    return;
  }
  if (!ok) {
    const why = `member ${member.name} voted to abort${reason === undefined ? '' : `: ${reason}`}`;
    abortRound(ctx, round, 'vote-failed', why, member.name, true);
    return;
  }
  round.firstArrivalAt ??= ctx.now;
  if (member.stage === 'ready') {
    // A vote without a frozen arrival: no netns of its own, the vote is its frozen point.
    round.counts.frozen += 1;
  }
  member.stage = 'voted';
  round.counts.voted += 1;
  if (round.phase === 'freezing') checkFrozen(ctx, round);
  else checkVotes(ctx, round);
}

function voteProblem(round: Round, member: MemberState): string | undefined {
  if (round.decision !== undefined) return `round ${round.epoch} is already decided`;
  if (round.phase === 'gathering') return 'the ready barrier is not released yet';
  if (member.stage === 'voted') return undefined;
  if (round.kind === 'checkpoint') {
    if (member.stage === 'frozen' && round.phase === 'freezing') {
      return 'the frozen barrier is not released yet';
    }
    if (member.stage !== 'ready' && member.stage !== 'frozen')
      return `member ${member.name} is at ${member.stage}`;
    return undefined;
  }
  return member.stage === 'ready' ? undefined : `member ${member.name} is at ${member.stage}`;
}
