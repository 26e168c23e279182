import type { GroupPolicy } from '../rules/policy.js';
import type {
  Deadlines,
  DecisionLookup,
  GroupManifest,
  RecoveryRecord,
  RoundKind,
  RoundRecord,
  StatusReply,
  StoredCheckpointRecord,
} from '../types.js';
import type { Ctx } from './context.js';
import { Effects, type Effect } from './effects.js';
import { dropMember } from './faults.js';
import { applyGroup, deleteGroup } from './groups.js';
import type { CompleteReport, Input } from './inputs.js';
import { handleJoin } from './join.js';
import {
  abortOperatorRound,
  openOperatorRound,
  recordPruned,
  recordRecovery,
  recordStored,
  setPolicy,
} from './operations.js';
import { abortRound } from './outcome.js';
import { connectedCount, decisionOf, historyOf, statusOf } from './queries.js';
import type { LogRecord } from './records.js';
import { applyRecord, recoverRounds } from './replay.js';
import { handleReportComplete } from './report-complete.js';
import type { MachineState } from './state.js';
import { handleStreamMessage } from './stream-message.js';
import { handleTick, nextWakeup } from './tick.js';

/**
 * The coordinator's protocol with no I/O: inputs in (each with the caller's clock), effects out.
 * Deadlines surface as `nextWakeup()`; the owner feeds a `tick` when that time comes.
 */
export class CoordinatorMachine {
  private readonly state: MachineState;

  constructor(deadlines: Deadlines) {
    this.state = {
      baseDeadlines: { ...deadlines },
      groups: new Map(),
      lastEpoch: new Map(),
      open: new Map(),
      conns: new Map(),
      history: new Map(),
      policies: new Map(),
      stored: new Map(),
      recoveries: new Map(),
      closing: false,
    };
  }

  /** Loads the log of an earlier run; call `recover` once it is all in. */
  replay(records: Iterable<LogRecord>): void {
    for (const record of records) applyRecord(this.state, record);
  }

  recover(now: number): Effect[] {
    return this.run(now, (ctx) => recoverRounds(ctx));
  }

  step(input: Input): Effect[] {
    return this.run(input.now, (ctx) => {
      switch (input.type) {
        case 'tick':
          return handleTick(ctx);
        case 'shutdown':
          return this.shutdown(ctx);
        case 'disconnect':
          return this.disconnect(ctx, input.conn, input.reason);
        case 'join':
          return handleJoin(ctx, input.conn, input.seq, input.join);
        default:
          return handleStreamMessage(ctx, input);
      }
    });
  }

  applyGroup(manifest: GroupManifest, now: number): Effect[] {
    return this.run(now, (ctx) => applyGroup(ctx, manifest));
  }

  deleteGroup(name: string, now: number): Effect[] {
    return this.run(now, (ctx) => deleteGroup(ctx, name));
  }

  /** Opens a round of the members the coordinator's agents report; returns its epoch. */
  openRound(
    spec: { group: string; kind: RoundKind; members: string[]; checkpointEpoch?: number },
    now: number,
  ): { epoch: number; effects: Effect[] } {
    let epoch = 0;
    const effects = this.run(now, (ctx) => {
      epoch = openOperatorRound(ctx, spec);
    });
    return { epoch, effects };
  }

  /** Aborts an undecided round for every member: a member could not even start. */
  abortRound(
    group: string,
    epoch: number,
    reason: string,
    culprit: string | undefined,
    now: number,
  ): Effect[] {
    return this.run(now, (ctx) => abortOperatorRound(ctx, group, epoch, reason, culprit));
  }

  setPolicy(group: string, policy: GroupPolicy, now: number): Effect[] {
    return this.run(now, (ctx) => setPolicy(ctx, group, policy));
  }

  recordStored(checkpoint: StoredCheckpointRecord, now: number): Effect[] {
    return this.run(now, (ctx) => recordStored(ctx, checkpoint));
  }

  recordPruned(group: string, location: string, epochs: number[], now: number): Effect[] {
    return this.run(now, (ctx) => recordPruned(ctx, group, location, epochs));
  }

  recordRecovery(recovery: RecoveryRecord, now: number): Effect[] {
    return this.run(now, (ctx) => recordRecovery(ctx, recovery));
  }

  policy(group: string): GroupPolicy | undefined {
    return this.state.policies.get(group);
  }

  policies(): Map<string, GroupPolicy> {
    return new Map(this.state.policies);
  }

  /** The group's stored checkpoints, newest first. */
  storedCheckpoints(group: string): StoredCheckpointRecord[] {
    return [...(this.state.stored.get(group) ?? [])].reverse().map((c) => structuredClone(c));
  }

  recoveries(group: string): RecoveryRecord[] {
    return (this.state.recoveries.get(group) ?? []).map((r) => structuredClone(r));
  }

  /** The open round of a group, if any: its epoch and kind. */
  openRoundOf(group: string): { epoch: number; kind: RoundKind } | undefined {
    const round = this.state.open.get(group);
    return round === undefined ? undefined : { epoch: round.epoch, kind: round.kind };
  }

  /** A completion by unary call: the member's stream was lost after the decision. */
  reportComplete(report: CompleteReport, now: number): Effect[] {
    return this.run(now, (ctx) => handleReportComplete(ctx, report));
  }

  status(now: number, group?: string): StatusReply {
    return statusOf(this.state, now, group);
  }

  listGroups(): GroupManifest[] {
    return [...this.state.groups.values()].map((m) => structuredClone(m));
  }

  history(group: string): RoundRecord[] {
    return historyOf(this.state, group);
  }

  getDecision(group: string, epoch: number): DecisionLookup {
    return decisionOf(this.state, group, epoch);
  }

  connectedCount(): number {
    return connectedCount(this.state);
  }

  openRoundCount(): number {
    return this.state.open.size;
  }

  nextWakeup(): number | undefined {
    return nextWakeup(this.state.open.values());
  }

  private run(now: number, body: (ctx: Ctx) => void): Effect[] {
    const ctx: Ctx = { state: this.state, now, fx: new Effects() };
    body(ctx);
    return ctx.fx.list;
  }

  private shutdown(ctx: Ctx): void {
    this.state.closing = true;
    for (const round of [...this.state.open.values()]) {
      if (round.decision === undefined)
        abortRound(ctx, round, 'shutdown', 'coordinator shutting down');
    }
  }

  private disconnect(ctx: Ctx, conn: number, why: string): void {
    const binding = this.state.conns.get(conn);
    if (binding === undefined) return;
    this.state.conns.delete(conn);
    const round = this.state.open.get(binding.group);
    const member = round?.epoch === binding.epoch ? round.members.get(binding.member) : undefined;
    if (round !== undefined && member?.conn === conn) {
      dropMember(ctx, round, member, 'disconnected', why);
    }
  }
}
