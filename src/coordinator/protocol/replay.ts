import { mergeDeadlines } from '../deadlines.js';
import type { RoundRecord } from '../types.js';
import type { Ctx } from './context.js';
import { abortRound } from './outcome.js';
import type { Round } from './state.js';
export { applyRecord } from './history.js';

export const RESTART_REASON = 'coordinator restarted before a decision';

/**
 * After replay: a round without a decision is aborted (and that recorded); a committed round
 * still waiting for completions waits again, for reports by unary call.
 */
export function recoverRounds(ctx: Ctx): void {
  for (const rounds of ctx.state.history.values()) {
    for (const record of rounds.values()) {
      if (
        record.outcome !== 'open' &&
        !(record.outcome === 'committed' && record.closedAt === undefined)
      )
        continue;
      const round = rebuildRound(ctx, record);
      if (record.outcome === 'open') abortRound(ctx, round, 'restart', RESTART_REASON);
    }
  }
}

function rebuildRound(ctx: Ctx, record: RoundRecord): Round {
  const deadlines = mergeDeadlines(
    ctx.state.baseDeadlines,
    ctx.state.groups.get(record.group)?.deadlines,
  );
  const committed = record.outcome === 'committed';
  const round: Round = {
    group: record.group,
    epoch: record.epoch,
    roundId: record.roundId,
    kind: record.kind,
    openedAt: record.openedAt,
    expected: record.members.length,
    names: record.members,
    members: new Map(),
    phase: committed ? 'completing' : 'gathering',
    deadlines,
    deadlineAt: ctx.now + deadlines.completeMs,
    stageStartedAt: ctx.now,
    counts: { ready: 0, frozen: 0, voted: 0, resumeSettled: 0, done: 0 },
    heartbeatCheckAt: Infinity,
    stageDurationsMs: { ...record.stageDurationsMs },
  };
  if (committed) round.decision = { commit: true, at: record.decidedAt ?? ctx.now };
  for (const name of record.members) {
    const location = record.imageLocations[name];
    round.members.set(name, {
      name,
      stage: committed ? 'voted' : 'joined',
      lastSeen: ctx.now,
      heartbeatTimeoutMs: deadlines.heartbeatTimeoutMs,
      resumeSettled: true,
      knowsMembers: true,
      ...(location === undefined ? {} : { imageLocation: location }),
    });
  }
  if (record.checkpointEpoch !== undefined) round.checkpointEpoch = record.checkpointEpoch;
  ctx.state.open.set(record.group, round);
  return round;
}
