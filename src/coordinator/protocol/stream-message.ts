import { CohortError, ErrorCode } from '../../core/errors.js';
import type { RoundRecord } from '../types.js';
import { handleArrive } from './barriers.js';
import { completeMember } from './completion.js';
import type { Ctx } from './context.js';
import { failMember } from './faults.js';
import type { StreamInput } from './inputs.js';
import { historyRecord, type ConnBinding } from './state.js';
import { handleVote } from './vote.js';

/** Every stream message after the join: checked against the session's round, then handled. */
export function handleStreamMessage(ctx: Ctx, input: Exclude<StreamInput, { type: 'join' }>): void {
  const state = ctx.state;
  const binding = state.conns.get(input.conn);
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
  const round = state.open.get(binding.group);
  const member = round?.epoch === binding.epoch ? round.members.get(binding.member) : undefined;
  if (round === undefined || member === undefined || member.conn !== input.conn) {
    closedRoundMessage(ctx, input, binding);
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
function closedRoundMessage(
  ctx: Ctx,
  input: Exclude<StreamInput, { type: 'join' }>,
  binding: ConnBinding,
): void {
  if (input.type === 'heartbeat' || input.type === 'fail') return;
  if (input.type === 'complete') {
    ctx.fx.send(input.conn, { type: 'ack', epoch: binding.epoch, what: 'complete' });
    return;
  }
  const record = historyRecord(ctx.state, binding.group, binding.epoch);
  ctx.fx.send(input.conn, {
    type: 'error',
    seq: input.seq,
    epoch: binding.epoch,
    error: record === undefined ? closedError(undefined, binding) : closedError(record),
  });
}

/** Why a message for an ended round is refused, with the round's reason and culprit. */
export function closedError(record: RoundRecord | undefined, binding?: ConnBinding): CohortError {
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
