import { CohortError } from '../../core/errors.js';
import { mergeDeadlines } from '../deadlines.js';
import type { RoundKind } from '../types.js';
import type { Ctx } from './context.js';
import type { ConnId } from './effects.js';
import { record } from './history.js';
import type { JoinFields } from './inputs.js';
import { refuse } from './join-round.js';
import { memberSetForNewRound, type MemberSet } from './member-set.js';
import type { Round } from './state.js';

/** The first join of a group with no open round: fix the member set, take the next epoch. */
export function openRound(ctx: Ctx, conn: ConnId, join: JoinFields): Round | undefined {
  const set = memberSetForNewRound(ctx.state.groups.get(join.group), join);
  if (set instanceof CohortError) {
    refuse(ctx, conn, join, set);
    return undefined;
  }
  const spec: RoundSpec = { group: join.group, kind: join.kind, set };
  if (join.kind === 'restore' && join.checkpointEpoch !== undefined)
    spec.checkpointEpoch = join.checkpointEpoch;
  return startRound(ctx, spec);
}

/** A round the coordinator opens itself (an operator's verb, the schedule, a recovery). */
export interface RoundSpec {
  group: string;
  kind: RoundKind;
  set: MemberSet;
  checkpointEpoch?: number;
}

/** Takes the group's next epoch and records the round before anyone hears of it. */
export function startRound(ctx: Ctx, spec: RoundSpec): Round {
  const { state, now, fx } = ctx;
  const epoch = (state.lastEpoch.get(spec.group) ?? 0) + 1;
  const deadlines = mergeDeadlines(state.baseDeadlines, state.groups.get(spec.group)?.deadlines);
  const round: Round = {
    group: spec.group,
    epoch,
    roundId: `${spec.group}-${epoch}-${now.toString(36)}`,
    kind: spec.kind,
    openedAt: now,
    expected: spec.set.expected,
    members: new Map(),
    phase: 'gathering',
    deadlines,
    deadlineAt: now + deadlines.joinMs,
    stageStartedAt: now,
    counts: { ready: 0, frozen: 0, voted: 0, resumeSettled: 0, done: 0 },
    heartbeatCheckAt: Infinity,
    stageDurationsMs: {},
  };
  if (spec.set.names !== undefined) round.names = spec.set.names;
  if (spec.kind === 'restore' && spec.checkpointEpoch !== undefined)
    round.checkpointEpoch = spec.checkpointEpoch;
  state.open.set(spec.group, round);
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
