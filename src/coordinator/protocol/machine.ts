import { CohortError, ErrorCode } from '../../core/errors.js';
import type {
  Deadlines,
  DecisionLookup,
  GroupManifest,
  RoundRecord,
  StatusReply,
} from '../types.js';
import { handleArrive } from './barriers.js';
import { completeMember } from './completion.js';
import type { Ctx } from './context.js';
import { Effects, type Effect } from './effects.js';
import { dropMember, failMember } from './faults.js';
import { applyGroup, deleteGroup } from './groups.js';
import type { CompleteReport, Input, StreamInput } from './inputs.js';
import { handleJoin } from './join.js';
import { abortRound } from './outcome.js';
import {
  connectedCount,
  decisionOf,
  historyOf,
  isKnownGroup,
  statusOf,
  unknownGroup,
} from './queries.js';
import type { LogRecord } from './records.js';
import { applyRecord, recoverRounds } from './replay.js';
import { historyRecord, type ConnBinding, type MachineState } from './state.js';
import { handleTick, nextWakeup } from './tick.js';
import { handleVote } from './vote.js';

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
          return this.streamMessage(ctx, input);
      }
    });
  }

  applyGroup(manifest: GroupManifest, now: number): Effect[] {
    return this.run(now, (ctx) => applyGroup(ctx, manifest));
  }

  deleteGroup(name: string, now: number): Effect[] {
    return this.run(now, (ctx) => deleteGroup(ctx, name));
  }

  /** A completion by unary call: the member's stream was lost after the decision. */
  reportComplete(report: CompleteReport, now: number): Effect[] {
    return this.run(now, (ctx) => {
      if (!isKnownGroup(this.state, report.group)) throw unknownGroup(report.group);
      const round = this.state.open.get(report.group);
      if (round?.epoch === report.epoch) {
        const member = round.members.get(report.member);
        if (member === undefined) {
          throw new CohortError(
            ErrorCode.NotMember,
            `member ${report.member} is not in round ${report.epoch} of group ${report.group}`,
            {
              details: { group: report.group, member: report.member, epoch: report.epoch },
            },
          );
        }
        const error = completeMember(ctx, round, member, report, undefined);
        if (error !== undefined) throw error;
        return;
      }
      const record = historyRecord(this.state, report.group, report.epoch);
      if (record === undefined) {
        throw new CohortError(
          ErrorCode.StaleEpoch,
          `group ${report.group} has no round ${report.epoch}`,
          {
            details: { group: report.group, epoch: report.epoch },
          },
        );
      }
      if (record.outcome === 'aborted') throw closedError(record);
    });
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

  private streamMessage(ctx: Ctx, input: Exclude<StreamInput, { type: 'join' }>): void {
    const binding = this.state.conns.get(input.conn);
    if (binding === undefined) {
      ctx.fx.send(input.conn, {
        type: 'error',
        seq: input.seq,
        error: new CohortError(
          ErrorCode.Protocol,
          `${input.type}: this session has not joined a round; send join first`,
        ),
      });
      return;
    }
    if (input.epoch !== binding.epoch) {
      ctx.fx.send(input.conn, {
        type: 'error',
        seq: input.seq,
        epoch: binding.epoch,
        error: new CohortError(
          ErrorCode.StaleEpoch,
          `${input.type}: epoch ${input.epoch} is not this session's round (epoch ${binding.epoch} of group ${binding.group})`,
          { details: { group: binding.group, member: binding.member, epoch: input.epoch } },
        ),
      });
      return;
    }
    const round = this.state.open.get(binding.group);
    const member = round?.epoch === binding.epoch ? round.members.get(binding.member) : undefined;
    if (round === undefined || member === undefined || member.conn !== input.conn) {
      this.closedRoundMessage(ctx, input, binding);
      return;
    }
    member.lastSeen = ctx.now;
    switch (input.type) {
      case 'heartbeat':
        return;
      case 'arrive':
        return handleArrive(ctx, round, member, input.seq, input.stage);
      case 'vote':
        return handleVote(ctx, round, member, input.seq, input.ok, input.reason);
      case 'fail':
        return failMember(ctx, round, member, input.reason);
      case 'complete': {
        const error = completeMember(ctx, round, member, input, input.conn);
        if (error === undefined) return;
        if (!input.ok) return failMember(ctx, round, member, input.reason ?? 'runc failed');
        ctx.fx.send(input.conn, { type: 'error', seq: input.seq, epoch: round.epoch, error });
      }
    }
  }

  /** Late messages for a round that has ended: completions are acknowledged, the rest refused. */
  private closedRoundMessage(
    ctx: Ctx,
    input: Exclude<StreamInput, { type: 'join' }>,
    binding: ConnBinding,
  ): void {
    if (input.type === 'heartbeat' || input.type === 'fail') return;
    if (input.type === 'complete') {
      ctx.fx.send(input.conn, { type: 'ack', epoch: binding.epoch, what: 'complete' });
      return;
    }
    const record = historyRecord(this.state, binding.group, binding.epoch);
    ctx.fx.send(input.conn, {
      type: 'error',
      seq: input.seq,
      epoch: binding.epoch,
      error: record === undefined ? closedError(undefined, binding) : closedError(record),
    });
  }
}

function closedError(record: RoundRecord | undefined, binding?: ConnBinding): CohortError {
  if (record === undefined) {
    return new CohortError(
      ErrorCode.StaleEpoch,
      `round ${binding?.epoch} of group ${binding?.group} is gone`,
    );
  }
  const code = record.outcome === 'aborted' ? ErrorCode.Aborted : ErrorCode.Protocol;
  return new CohortError(
    code,
    `round ${record.epoch} of group ${record.group} is closed (${record.outcome}${record.reason === undefined ? '' : `: ${record.reason}`})`,
    {
      details: {
        group: record.group,
        epoch: record.epoch,
        ...(record.reason === undefined ? {} : { reason: record.reason }),
        ...(record.culprit === undefined ? {} : { culprit: record.culprit }),
      },
    },
  );
}
