import type { ClientDuplexStream } from '@grpc/grpc-js';
import type { AgentCommand, AgentReport } from '../gen/cohort/v1/agent.js';
import type * as groups from '../gen/cohort/v1/groups.js';
import type {
  Deadlines,
  DecisionRecord,
  GroupManifest,
  RoundRecord,
  StatusReply,
} from './types.js';

export interface CoordinatorClientOptions {
  /** `unix:///path` or `host:port`; several replicas' addresses: calls go to whichever leads. */
  address: string | readonly string[];
  /** PEM file paths. */
  tls?: { ca: string; cert: string; key: string };
  insecure?: boolean;
  connectTimeoutMs: number;
  /** How long a member whose stream dropped after voting keeps asking for the decision (default 15 s). */
  reconnectWindowMs?: number;
}

/** The Groups service's verbs, in the wire's own (generated) types. */
export interface GroupsApi {
  checkpoint(request: groups.CheckpointRequest): Promise<groups.OperationResult>;
  restore(request: groups.RestoreRequest): Promise<groups.OperationResult>;
  setPolicy(request: groups.PolicyRequest): Promise<groups.GroupView>;
  show(name: string): Promise<groups.GroupView>;
  checkpoints(group: string, from?: string): Promise<groups.CheckpointList>;
  nodes(): Promise<groups.NodeList>;
}

export interface CoordinatorClient {
  readonly groups: GroupsApi;
  /** The replica calls go to now: the leader, as far as this client knows. */
  readonly address: string;
  /** A node agent's stream (see src/agent). */
  openAgentLink(): ClientDuplexStream<AgentReport, AgentCommand>;
  /** Resolves on welcome; rejects with the CohortError of the refusal. */
  openSession(join: JoinRequest, options?: SessionOptions): Promise<MemberSession>;
  status(group?: string): Promise<StatusReply>;
  applyGroup(m: GroupManifest): Promise<void>;
  listGroups(): Promise<GroupManifest[]>;
  deleteGroup(name: string): Promise<void>;
  history(group: string): Promise<RoundRecord[]>;
  getDecision(group: string, epoch: number): Promise<DecisionRecord | undefined>;
  /** A member's completion by unary call, for when its stream is gone. */
  reportComplete(report: CompletionReport): Promise<void>;
  close(): void;
}

export interface SessionOptions {
  reconnectWindowMs?: number;
}

export interface JoinRequest {
  group: string;
  member: string;
  kind: 'checkpoint' | 'restore';
  declaredSize?: number;
  declaredMembers?: string[];
  /** The checkpoint epoch a restore restores. */
  checkpointEpoch?: number;
  heartbeatMs?: number;
  imageLocation?: string;
}

export interface CompletionReport {
  group: string;
  epoch: number;
  member: string;
  ok: boolean;
  imageLocation?: string;
  reason?: string;
}

export interface MemberSession {
  readonly epoch: number;
  /** The round's decision once known: a commit, or an abort with its reason and culprit. */
  readonly outcome: Decision | undefined;
  /** The round's members; complete once the ready barrier is released. */
  readonly members: readonly string[];
  readonly roundId: string;
  /** The round's stage deadlines, as the coordinator runs it: a member bounds its waits by them. */
  readonly deadlines: Deadlines;
  /** Resolves when that barrier is released; rejects CohortError(Aborted) with details {reason, culprit}. */
  arrive(stage: 'ready' | 'frozen' | 'resumed'): Promise<void>;
  /** Resolves with the decision, asking again after a dropped stream until the reconnect window closes. */
  vote(ok: boolean, reason?: string): Promise<Decision>;
  complete(result: { ok: boolean; imageLocation?: string; reason?: string }): Promise<void>;
  /** Explicit failure: aborts the round if it comes before the decision. */
  fail(reason: string): void;
  onAbort(listener: (a: { reason: string; culprit?: string }) => void): void;
  close(): void;
}

export interface Decision {
  commit: boolean;
  reason?: string;
  culprit?: string;
  epoch: number;
}
