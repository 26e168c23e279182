import { CohortError } from '../../core/errors.js';
import { mergeDeadlines } from '../deadlines.js';
import type { Ctx } from './context.js';
import type { ConnId } from './effects.js';
import type { JoinFields } from './inputs.js';
import { refuse } from './join-round.js';
import { memberSetForNewRound } from './member-set.js';
import { record } from './history.js';
import type { Round } from './state.js';

/** The first join of a group with no open round: fix the member set, take the next epoch. */
export function openRound(ctx: Ctx, conn: ConnId, join: JoinFields): Round | undefined {
  const { state, now, fx } = ctx;
  const manifest = state.groups.get(join.group);
  const set = memberSetForNewRound(manifest, join);
  if (set instanceof CohortError) {
    refuse(ctx, conn, join, set);
    return undefined;
  }
  const epoch = (state.lastEpoch.get(join.group) ?? 0) + 1;
  const deadlines = mergeDeadlines(state.baseDeadlines, manifest?.deadlines);
  const round: Round = {
    group: join.group,
    epoch,
    roundId: `${join.group}-${epoch}-${now.toString(36)}`,
    kind: join.kind,
    openedAt: now,
    expected: set.expected,
    members: new Map(),
    phase: 'gathering',
    deadlines,
    deadlineAt: now + deadlines.joinMs,
    stageStartedAt: now,
    counts: { ready: 0, frozen: 0, voted: 0, resumeSettled: 0, done: 0 },
    heartbeatCheckAt: Infinity,
    stageDurationsMs: {},
  };
  if (set.names !== undefined) round.names = set.names;
  if (join.kind === 'restore' && join.checkpointEpoch !== undefined)
    round.checkpointEpoch = join.checkpointEpoch;
  state.open.set(join.group, round);
  record(ctx, {
    type: 'round-opened',
    at: now,
    group: round.group,
    epoch,
    roundId: round.roundId,
    kind: round.kind,
    expected: round.expected,
    ...(round.names === undefined ? {} : { members: round.names }),
    ...(round.checkpointEpoch === undefined ? {} : { checkpointEpoch: round.checkpointEpoch }),
  });
  fx.event({
    type: 'round-opened',
    group: round.group,
    epoch,
    kind: round.kind,
    expected: round.expected,
  });
  return round;
}
