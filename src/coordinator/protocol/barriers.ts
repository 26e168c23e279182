import { CohortError, ErrorCode } from '../../core/errors.js';
import type { BarrierStage, MemberStage } from '../types.js';
import type { Ctx } from './context.js';
import { commitRound } from './outcome.js';
import { enterStage, memberList, type MemberState, type Round } from './state.js';

const ORDER: Record<MemberStage, number> = {
  joined: 0,
  ready: 1,
  frozen: 2,
  voted: 3,
  resumed: 4,
  completed: 5,
  failed: 5,
};

/** A member reached a barrier: count it once, release everyone when the last one arrives. */
export function handleArrive(
  ctx: Ctx,
  round: Round,
  member: MemberState,
  seq: number,
  stage: BarrierStage,
): void {
  const problem = arrivalProblem(round, member, stage);
  if (problem !== undefined) {
    ctx.fx.send(member.conn, {
      type: 'error',
      seq,
      epoch: round.epoch,
      error: new CohortError(ErrorCode.Protocol, `${stage}: ${problem}`, {
        details: { group: round.group, member: member.name, epoch: round.epoch, stage },
      }),
    });
    return;
  }
  if (member.stage === stage) {
    // A repeated arrival: answer again if the barrier is already behind us.
    if (isReleased(round, stage)) sendRelease(ctx, round, member, stage, false);
    return;
  }
  round.firstArrivalAt ??= ctx.now;
  member.stage = stage;
  if (stage === 'ready') {
    round.counts.ready += 1;
    if (round.counts.ready === round.expected) releaseReady(ctx, round);
  } else if (stage === 'frozen') {
    round.counts.frozen += 1;
    checkFrozen(ctx, round);
  } else {
    if (round.phase === 'completing') {
      sendRelease(ctx, round, member, stage, true);
      return;
    }
    settleResume(ctx, round, member);
  }
}

function arrivalProblem(
  round: Round,
  member: MemberState,
  stage: BarrierStage,
): string | undefined {
  if (stage === 'frozen' && round.kind === 'restore') return 'a restore has no frozen barrier';
  if (stage === 'resumed' && round.kind === 'checkpoint')
    return 'a checkpoint has no resumed barrier';
  if (ORDER[member.stage] > ORDER[stage]) {
    return `member ${member.name} has already passed this barrier (it is at ${member.stage})`;
  }
  if (member.stage === stage) return undefined;
  if (stage === 'frozen' && round.phase === 'gathering')
    return 'the ready barrier is not released yet';
  if (stage === 'resumed' && round.decision?.commit !== true)
    return 'the round is not committed yet';
  if (stage === 'resumed' && member.stage !== 'voted') return `member ${member.name} has not voted`;
  return undefined;
}

function isReleased(round: Round, stage: BarrierStage): boolean {
  if (stage === 'ready') return round.phase !== 'gathering';
  if (stage === 'frozen') return round.phase !== 'freezing';
  return round.phase === 'completing';
}

function sendRelease(
  ctx: Ctx,
  round: Round,
  member: MemberState,
  stage: BarrierStage,
  forced: boolean,
): void {
  const members = stage === 'ready' ? memberList(round) : [];
  ctx.fx.send(member.conn, { type: 'release', epoch: round.epoch, stage, members, forced });
}

function released(ctx: Ctx, round: Round, stage: BarrierStage, forced: boolean): void {
  ctx.fx.event({
    type: 'barrier-released',
    group: round.group,
    epoch: round.epoch,
    stage,
    waitMs: ctx.now - (round.firstArrivalAt ?? ctx.now),
    forced,
  });
  round.firstArrivalAt = undefined;
}

function releaseReady(ctx: Ctx, round: Round): void {
  const knowing: number[] = [];
  const told: number[] = [];
  for (const m of round.members.values()) {
    if (m.conn !== undefined) (m.knowsMembers ? knowing : told).push(m.conn);
    m.knowsMembers = true;
  }
  // Names go only to members whose welcome came before the set was complete: a thousand
  // copies of a thousand names would cost more than the release itself.
  const release = { type: 'release', epoch: round.epoch, stage: 'ready', forced: false } as const;
  ctx.fx.broadcast(told, { ...release, members: memberList(round) });
  ctx.fx.broadcast(knowing, { ...release, members: [] });
  released(ctx, round, 'ready', false);
  if (round.kind === 'checkpoint') {
    round.phase = 'freezing';
    enterStage(round, 'ready', ctx.now, round.deadlines.freezeMs);
  } else {
    round.phase = 'voting';
    enterStage(round, 'ready', ctx.now, round.deadlines.restoreMs);
  }
}

/** Everyone frozen (a vote counts for a member without its own netns): the consistent cut. */
export function checkFrozen(ctx: Ctx, round: Round): void {
  if (round.phase !== 'freezing' || round.counts.frozen < round.expected) return;
  const conns: number[] = [];
  for (const m of round.members.values())
    if (m.stage === 'frozen' && m.conn !== undefined) conns.push(m.conn);
  ctx.fx.broadcast(conns, {
    type: 'release',
    epoch: round.epoch,
    stage: 'frozen',
    members: [],
    forced: false,
  });
  released(ctx, round, 'frozen', false);
  round.phase = 'voting';
  enterStage(round, 'frozen', ctx.now, round.deadlines.dumpMs);
  checkVotes(ctx, round);
}

export function checkVotes(ctx: Ctx, round: Round): void {
  if (round.phase === 'voting' && round.counts.voted === round.expected) commitRound(ctx, round);
}

/** Counts a member for the resumed barrier: arrived, or excused because it is gone or done. */
export function settleResume(ctx: Ctx, round: Round, member: MemberState): void {
  if (round.phase !== 'resuming' || member.resumeSettled) return;
  member.resumeSettled = true;
  round.counts.resumeSettled += 1;
  if (round.counts.resumeSettled !== round.expected) return;
  const everyoneArrived = [...round.members.values()].every((m) => m.stage === 'resumed');
  releaseResumed(ctx, round, !everyoneArrived);
}

/** Resume together; past the deadline, resume without the stragglers: pre-resume cannot abort. */
export function releaseResumed(ctx: Ctx, round: Round, forced: boolean): void {
  const conns: number[] = [];
  for (const m of round.members.values())
    if (m.stage === 'resumed' && m.conn !== undefined) conns.push(m.conn);
  ctx.fx.broadcast(conns, {
    type: 'release',
    epoch: round.epoch,
    stage: 'resumed',
    members: [],
    forced,
  });
  released(ctx, round, 'resumed', forced);
  round.phase = 'completing';
  enterStage(round, 'resumed', ctx.now, round.deadlines.completeMs);
}
