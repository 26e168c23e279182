/** The coordinator's public vocabulary, shared by the protocol, the server, the client and cohortctl. */

export type RoundKind = 'checkpoint' | 'restore';

/** A barrier a member arrives at; CRIU action in brackets: ready (pre-dump/pre-restore), frozen (network-lock), resumed (pre-resume). */
export type BarrierStage = 'ready' | 'frozen' | 'resumed';

/** Where a round is: gathering (join + ready), freezing, voting, resuming (restore), completing. */
export type RoundPhase = 'gathering' | 'freezing' | 'voting' | 'resuming' | 'completing';

/** The stages a round's durations are recorded for. */
export type StageName = 'join' | 'ready' | 'frozen' | 'vote' | 'resumed' | 'complete';

/** permanent: every member completed; stored: and every member's archive is in the store. */
export type RoundOutcome = 'open' | 'committed' | 'permanent' | 'stored' | 'aborted';

/** A member's progress within a round. */
export type MemberStage =
  'joined' | 'ready' | 'frozen' | 'voted' | 'resumed' | 'completed' | 'failed';

/** Stage time limits in milliseconds. */
export interface Deadlines {
  /** Round opened → every member joined. */
  joinMs: number;
  /** Everyone joined → everyone at pre-dump/pre-restore. */
  readyMs: number;
  /** Ready released → everyone frozen (network-lock, or the vote where there is no netns). */
  freezeMs: number;
  /** Frozen released → every vote (images written). */
  dumpMs: number;
  /** Ready released → every vote on a restore (tree restored, not running). */
  restoreMs: number;
  /** Commit → everyone at pre-resume; past it the barrier releases anyway. */
  resumeMs: number;
  /** Commit (or resume) → every member reported runc's result. */
  completeMs: number;
  /** Silence after which a member's session counts as gone. */
  heartbeatTimeoutMs: number;
}

export interface GroupManifest {
  name: string;
  members?: string[];
  size?: number;
  deadlines?: Partial<Deadlines>;
}

export interface MemberStatus {
  name: string;
  stage: MemberStage;
  connected: boolean;
}

export interface OpenRoundStatus {
  epoch: number;
  roundId: string;
  kind: RoundKind;
  phase: RoundPhase;
  openedAt: number;
  expected: number;
  members: MemberStatus[];
  /** Millisecond time at which the current stage's deadline fires. */
  deadlineAt?: number;
  checkpointEpoch?: number;
}

export interface GroupStatus {
  name: string;
  manifest?: GroupManifest;
  lastEpoch: number;
  openRound?: OpenRoundStatus;
}

export interface StatusReply {
  groups: GroupStatus[];
  connectedMembers: number;
  /** The coordinator's clock when it answered (ms since the Unix epoch). */
  now: number;
}

export interface RoundRecord {
  group: string;
  epoch: number;
  roundId: string;
  kind: RoundKind;
  outcome: RoundOutcome;
  reason?: string;
  culprit?: string;
  openedAt: number;
  decidedAt?: number;
  closedAt?: number;
  checkpointEpoch?: number;
  members: string[];
  imageLocations: Record<string, string>;
  stageDurationsMs: Partial<Record<StageName, number>>;
  /** Where the round's checkpoint was stored, and when it became stored. */
  stored?: { location: string; at: number };
}

export interface DecisionRecord {
  group: string;
  epoch: number;
  commit: boolean;
  reason?: string;
  culprit?: string;
  decidedAt: number;
}

/** What GetDecision knows about one epoch: decided, still open, or never heard of. */
export type DecisionLookup =
  { state: 'decided'; decision: DecisionRecord } | { state: 'pending' } | { state: 'unknown' };

/** One member's archive in a store. */
export interface StoredMemberRecord {
  member: string;
  digest: string;
  size: number;
  diffId: string;
  uncompressedSize: number;
  reference: string;
  /** How the member ran, for its restore: the store itself does not keep these. */
  engine?: 'podman' | 'runc';
  containerId?: string;
  bundle?: string;
  runcRoot?: string;
}

/** A group checkpoint of one epoch, in a store with every member's digest. */
export interface StoredCheckpointRecord {
  group: string;
  epoch: number;
  location: string;
  /** ISO 8601, as the store keeps it. */
  createdAt: string;
  members: StoredMemberRecord[];
}

/** A recovery of a group: what caused it, what it restored, how it ended. */
export interface RecoveryRecord {
  group: string;
  cause: string;
  epoch?: number;
  startedAt: number;
  finishedAt?: number;
  outcome: 'running' | 'restored' | 'failed' | 'blocked';
  reason?: string;
  placements: Record<string, string>;
}

export type EngineName = 'podman' | 'runc';

/** A group member's container as its node's agent reports it. */
export interface NodeMember {
  group: string;
  member: string;
  engine: EngineName;
  containerId: string;
  label: string;
  state: 'running' | 'paused' | 'stopped';
  exitCode?: number;
  oomKilled?: boolean;
}

/** CRIU's options for every member of one round. */
export interface CriuOptions {
  leaveRunning: boolean;
  tcpEstablished: boolean;
  fileLocks: boolean;
}
