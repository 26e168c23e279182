import { CohortError, ErrorCode } from '../../core/errors.js';
import type {
  DecisionLookup,
  GroupStatus,
  OpenRoundStatus,
  RoundRecord,
  StatusReply,
} from '../types.js';
import { historyRecord, type MachineState, type Round } from './state.js';

export function isKnownGroup(state: MachineState, group: string): boolean {
  return state.groups.has(group) || state.history.has(group) || state.open.has(group);
}

export function unknownGroup(group: string): CohortError {
  return new CohortError(
    ErrorCode.UnknownGroup,
    `group ${group} is unknown here: no manifest and no rounds; check the name (cohortctl status lists groups)`,
    { details: { group } },
  );
}

export function statusOf(state: MachineState, now: number, group?: string): StatusReply {
  if (group !== undefined && !isKnownGroup(state, group)) throw unknownGroup(group);
  const names =
    group !== undefined
      ? [group]
      : [
          ...new Set([...state.groups.keys(), ...state.history.keys(), ...state.open.keys()]),
        ].sort();
  const groups = names.map((name): GroupStatus => {
    const status: GroupStatus = { name, lastEpoch: state.lastEpoch.get(name) ?? 0 };
    const manifest = state.groups.get(name);
    if (manifest !== undefined) status.manifest = manifest;
    const round = state.open.get(name);
    if (round !== undefined) status.openRound = roundStatus(round);
    return status;
  });
  return { groups, connectedMembers: connectedCount(state), now };
}

function roundStatus(round: Round): OpenRoundStatus {
  const status: OpenRoundStatus = {
    epoch: round.epoch,
    roundId: round.roundId,
    kind: round.kind,
    phase: round.phase,
    openedAt: round.openedAt,
    expected: round.expected,
    members: [...round.members.values()].map((m) => ({
      name: m.name,
      stage: m.stage,
      connected: m.conn !== undefined,
    })),
    deadlineAt: round.deadlineAt,
  };
  if (round.checkpointEpoch !== undefined) status.checkpointEpoch = round.checkpointEpoch;
  return status;
}

export function connectedCount(state: MachineState): number {
  return state.conns.size;
}

export function historyOf(state: MachineState, group: string): RoundRecord[] {
  if (!isKnownGroup(state, group)) throw unknownGroup(group);
  return [...(state.history.get(group)?.values() ?? [])].map((r) => structuredClone(r));
}

export function decisionOf(state: MachineState, group: string, epoch: number): DecisionLookup {
  if (!isKnownGroup(state, group)) throw unknownGroup(group);
  const record = historyRecord(state, group, epoch);
  if (record === undefined) return { state: 'unknown' };
  if (record.outcome === 'open' || record.decidedAt === undefined) return { state: 'pending' };
  return {
    state: 'decided',
    decision: {
      group,
      epoch,
      commit: record.outcome !== 'aborted',
      decidedAt: record.decidedAt,
      ...(record.outcome === 'aborted' && record.reason !== undefined
        ? { reason: record.reason }
        : {}),
      ...(record.outcome === 'aborted' && record.culprit !== undefined
        ? { culprit: record.culprit }
        : {}),
    },
  };
}
