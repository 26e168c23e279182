import { CohortError, ErrorCode } from '../../core/errors.js';
import type { Ctx } from './context.js';
import type { ConnId } from './effects.js';
import type { JoinFields } from './inputs.js';
import { joinRound, refuse, sendWelcome } from './join-round.js';
import { openRound } from './open-round.js';
import { historyRecord } from './state.js';

/** A session's first message: opens the group's round or joins the one that is open. */
export function handleJoin(ctx: Ctx, conn: ConnId, seq: number, join: JoinFields): void {
  const { state, fx } = ctx;
  const bound = state.conns.get(conn);
  if (bound !== undefined) {
    const round = state.open.get(bound.group);
    if (
      bound.group === join.group &&
      bound.member === join.member &&
      round?.epoch === bound.epoch
    ) {
      sendWelcome(ctx, round, conn);
      return;
    }
    fx.send(conn, {
      type: 'error',
      seq,
      error: new CohortError(
        ErrorCode.Protocol,
        `this session already joined as ${bound.group}/${bound.member}; open a new session to join again`,
      ),
    });
    return;
  }
  const refusal = refusalFor(ctx, join);
  if (refusal !== undefined) {
    refuse(ctx, conn, join, refusal);
    return;
  }
  const round = state.open.get(join.group) ?? openRound(ctx, conn, join);
  if (round !== undefined) joinRound(ctx, round, conn, join);
}

function refusalFor(ctx: Ctx, join: JoinFields): CohortError | undefined {
  const { state } = ctx;
  if (state.closing) {
    return new CohortError(
      ErrorCode.Unreachable,
      'the coordinator is shutting down; retry once it is back',
    );
  }
  const round = state.open.get(join.group);
  if (round !== undefined && round.kind !== join.kind) {
    return new CohortError(
      ErrorCode.RoundBusy,
      `group ${join.group} has a ${round.kind} round (epoch ${round.epoch}) open; a ${join.kind} can start once it ends`,
      { details: { group: join.group, epoch: round.epoch } },
    );
  }
  if (round !== undefined && round.decision !== undefined) {
    return new CohortError(
      ErrorCode.RoundBusy,
      `group ${join.group}'s round ${round.epoch} is decided and waiting for its members to complete; retry once it closes`,
      { details: { group: join.group, epoch: round.epoch } },
    );
  }
  if (round === undefined && join.kind === 'restore') return restoreRefusal(ctx, join);
  return undefined;
}

/** Only a permanent (or stored) checkpoint may be restored; an epoch never seen here is the caller's word. */
function restoreRefusal(ctx: Ctx, join: JoinFields): CohortError | undefined {
  const epoch = join.checkpointEpoch;
  if (epoch === undefined) {
    return new CohortError(
      ErrorCode.BadMessage,
      'join.checkpointEpoch: a restore must name the checkpoint epoch it restores',
      {
        details: { field: 'join.checkpointEpoch' },
      },
    );
  }
  const record = historyRecord(ctx.state, join.group, epoch);
  if (record === undefined) return undefined;
  // A stored checkpoint is a permanent one that also reached the store.
  const restorable = record.outcome === 'permanent' || record.outcome === 'stored';
  if (record.kind === 'checkpoint' && restorable) return undefined;
  const what =
    record.kind !== 'checkpoint'
      ? 'is a restore round, not a checkpoint'
      : `is recorded as not permanent (${record.outcome}${record.reason === undefined ? '' : `: ${record.reason}`})`;
  return new CohortError(
    ErrorCode.NotPermanent,
    `checkpoint epoch ${epoch} of group ${join.group} ${what}; restore a permanent checkpoint`,
    { details: { group: join.group, epoch } },
  );
}
