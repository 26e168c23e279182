import type * as wire from '../../gen/cohort/v1/coordinator.js';
import type {
  DecisionLookup,
  MemberStage,
  OpenRoundStatus,
  RoundOutcome,
  RoundPhase,
  RoundRecord,
  StatusReply,
} from '../types.js';
import { decodeManifest } from '../wire/decode-unary.js';
import { KIND_FROM_WIRE } from '../wire/enums.js';
import { nonEmpty, optional } from '../wire/optional.js';

const PHASES: readonly RoundPhase[] = ['gathering', 'freezing', 'voting', 'resuming', 'completing'];
const MEMBER_STAGES: readonly MemberStage[] = [
  'joined',
  'ready',
  'frozen',
  'voted',
  'resumed',
  'completed',
  'failed',
];
const OUTCOMES: readonly RoundOutcome[] = ['open', 'committed', 'permanent', 'stored', 'aborted'];

/** A word the server sends as a string, if it is one this client knows; else the fallback. */
function oneOf<T extends string>(value: string, known: readonly T[], fallback: T): T {
  return known.find((word) => word === value) ?? fallback;
}

export function decodeStatusReply({
  groups,
  connectedMembers,
  now,
}: wire.StatusReply): StatusReply {
  return {
    connectedMembers,
    now,
    groups: groups.map(({ name, lastEpoch, manifest, openRound }) => ({
      name,
      lastEpoch,
      ...optional({
        manifest: manifest === undefined ? undefined : decodeManifest(manifest),
        openRound: openRound === undefined ? undefined : decodeOpenRound(openRound),
      }),
    })),
  };
}

function decodeOpenRound(round: wire.OpenRound): OpenRoundStatus {
  const { epoch, roundId, openedAt, expected, deadlineAt, checkpointEpoch } = round;
  return {
    epoch,
    roundId,
    kind: KIND_FROM_WIRE.get(round.kind) ?? 'checkpoint',
    phase: oneOf(round.phase, PHASES, 'gathering'),
    openedAt,
    expected,
    members: round.members.map(({ name, stage, connected }) => ({
      name,
      stage: oneOf(stage, MEMBER_STAGES, 'joined'),
      connected,
    })),
    ...optional({ deadlineAt, checkpointEpoch }),
  };
}

export function decodeRoundRecord(record: wire.RoundRecord): RoundRecord {
  const { group, epoch, roundId, openedAt, members, imageLocations, stageDurationsMs } = record;
  const { reason, culprit, decidedAt, closedAt, checkpointEpoch } = record;
  return {
    group,
    epoch,
    roundId,
    kind: KIND_FROM_WIRE.get(record.kind) ?? 'checkpoint',
    outcome: oneOf(record.outcome, OUTCOMES, 'open'),
    openedAt,
    members,
    imageLocations,
    stageDurationsMs,
    ...optional({ reason: nonEmpty(reason), culprit: nonEmpty(culprit) }),
    ...optional({ decidedAt, closedAt, checkpointEpoch }),
  };
}

export function decodeDecisionReply({ state, decision }: wire.DecisionReply): DecisionLookup {
  if (state === 'decided' && decision !== undefined) {
    const { reason, culprit, ...rest } = decision;
    return {
      state: 'decided',
      decision: { ...rest, ...optional({ reason: nonEmpty(reason), culprit: nonEmpty(culprit) }) },
    };
  }
  return state === 'pending' ? { state: 'pending' } : { state: 'unknown' };
}
