import type { GroupPolicy } from '../rules/policy.js';
import type {
  Deadlines,
  RecoveryRecord,
  StoredCheckpointRecord,
  GroupManifest,
  MemberStage,
  RoundKind,
  RoundPhase,
  RoundRecord,
  StageName,
} from '../types.js';
import type { ConnId, OutMessage } from './effects.js';

export interface MemberState {
  name: string;
  /** The live stream; undefined once it is lost. */
  conn?: ConnId;
  stage: MemberStage;
  lastSeen: number;
  heartbeatTimeoutMs: number;
  imageLocation?: string;
  /** Counted by the resumed barrier: arrived, or excused because its session is gone. */
  resumeSettled: boolean;
  /** Its welcome already named every member, so the ready release need not repeat them. */
  knowsMembers: boolean;
}

export interface Round {
  group: string;
  epoch: number;
  roundId: string;
  kind: RoundKind;
  checkpointEpoch?: number;
  openedAt: number;
  expected: number;
  /** Fixed member names; undefined while only a size is known. */
  names?: string[];
  members: Map<string, MemberState>;
  phase: RoundPhase;
  deadlines: Deadlines;
  deadlineAt: number;
  /** When the current stage began, for its recorded duration. */
  stageStartedAt: number;
  /** First arrival at the barrier being gathered, for the wait histogram. */
  firstArrivalAt?: number;
  counts: { ready: number; frozen: number; voted: number; resumeSettled: number; done: number };
  decision?: { commit: boolean; at: number };
  /** The first failure after a commit: the round stays committed but is not permanent. */
  lateFailure?: { reason: string; culprit: string };
  /** No member can miss its heartbeat before this time. */
  heartbeatCheckAt: number;
  stageDurationsMs: Partial<Record<StageName, number>>;
  /** The welcome every joiner gets once the names are fixed. */
  welcome?: OutMessage;
}

export interface ConnBinding {
  group: string;
  epoch: number;
  member: string;
}

export interface MachineState {
  baseDeadlines: Deadlines;
  groups: Map<string, GroupManifest>;
  lastEpoch: Map<string, number>;
  /** At most one open round per group. */
  open: Map<string, Round>;
  conns: Map<ConnId, ConnBinding>;
  /** group → epoch → record, epochs in increasing order. */
  history: Map<string, Map<number, RoundRecord>>;
  policies: Map<string, GroupPolicy>;
  /** group → its stored checkpoints, oldest first. */
  stored: Map<string, StoredCheckpointRecord[]>;
  /** group → its recoveries, oldest first (the newest few are kept). */
  recoveries: Map<string, RecoveryRecord[]>;
  closing: boolean;
}

export function memberList(round: Round): string[] {
  return round.names ?? [...round.members.keys()];
}

/** Streams of every member still connected to the round. */
export function liveConns(round: Round): ConnId[] {
  const conns: ConnId[] = [];
  for (const member of round.members.values())
    if (member.conn !== undefined) conns.push(member.conn);
  return conns;
}

export function imageLocations(round: Round): Record<string, string> {
  const locations: Record<string, string> = {};
  for (const member of round.members.values()) {
    if (member.imageLocation !== undefined) locations[member.name] = member.imageLocation;
  }
  return locations;
}

export function historyRecord(
  state: MachineState,
  group: string,
  epoch: number,
): RoundRecord | undefined {
  return state.history.get(group)?.get(epoch);
}

export function putHistory(state: MachineState, record: RoundRecord): void {
  let rounds = state.history.get(record.group);
  if (rounds === undefined) {
    rounds = new Map();
    state.history.set(record.group, rounds);
  }
  rounds.set(record.epoch, record);
}

/** Starts the next stage's clock and records how long the one ending took. */
export function enterStage(round: Round, ended: StageName, now: number, deadlineMs: number): void {
  round.stageDurationsMs[ended] = now - round.stageStartedAt;
  round.stageStartedAt = now;
  round.deadlineAt = now + deadlineMs;
}
