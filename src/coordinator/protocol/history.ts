import type { Ctx } from './context.js';
import type { LogRecord } from './records.js';
import type { RecoveryRecord, StoredCheckpointRecord } from '../types.js';
import { historyRecord, putHistory, type MachineState } from './state.js';

/**
 * The one way a record changes what the coordinator knows: used live, right after the record is
 * persisted, and again for each record replayed at start, so both give the same history.
 */
export function applyRecord(state: MachineState, record: LogRecord): void {
  switch (record.type) {
    case 'group-applied':
      state.groups.set(record.manifest.name, record.manifest);
      return;
    case 'group-deleted':
      state.groups.delete(record.name);
      return;
    case 'round-opened':
      state.lastEpoch.set(
        record.group,
        Math.max(state.lastEpoch.get(record.group) ?? 0, record.epoch),
      );
      putHistory(state, {
        group: record.group,
        epoch: record.epoch,
        roundId: record.roundId,
        kind: record.kind,
        outcome: 'open',
        openedAt: record.at,
        members: record.members ?? [],
        imageLocations: {},
        stageDurationsMs: {},
        ...(record.checkpointEpoch === undefined
          ? {}
          : { checkpointEpoch: record.checkpointEpoch }),
      });
      return;
    case 'policy-set':
      state.policies.set(record.group, record.policy);
      return;
    case 'checkpoint-stored':
      return applyStored(state, record.checkpoint, record.at);
    case 'checkpoints-pruned': {
      const kept = (state.stored.get(record.group) ?? []).filter(
        (c) => c.location !== record.location || !record.epochs.includes(c.epoch),
      );
      state.stored.set(record.group, kept);
      return;
    }
    case 'recovery':
      return applyRecovery(state, record.recovery);
    case 'round-decided':
    case 'round-closed': {
      const round = historyRecord(state, record.group, record.epoch);
      if (round === undefined) return;
      if (record.type === 'round-decided') {
        round.outcome = record.commit ? 'committed' : 'aborted';
        round.decidedAt = record.at;
        if (!record.commit) round.closedAt = record.at;
      } else {
        round.outcome = record.permanent ? 'permanent' : 'committed';
        round.closedAt = record.at;
      }
      if (record.reason !== undefined) round.reason = record.reason;
      if (record.culprit !== undefined) round.culprit = record.culprit;
      round.members = [...record.members];
      round.imageLocations = { ...record.imageLocations };
      round.stageDurationsMs = { ...record.stageDurationsMs };
    }
  }
}

/** A stored checkpoint replaces an older record of the same store and epoch; its round shows it. */
function applyStored(state: MachineState, checkpoint: StoredCheckpointRecord, at: number): void {
  const list = (state.stored.get(checkpoint.group) ?? []).filter(
    (c) => c.location !== checkpoint.location || c.epoch !== checkpoint.epoch,
  );
  list.push(checkpoint);
  list.sort((a, b) => a.epoch - b.epoch);
  state.stored.set(checkpoint.group, list);
  const round = historyRecord(state, checkpoint.group, checkpoint.epoch);
  if (round !== undefined) {
    round.outcome = 'stored';
    round.stored = { location: checkpoint.location, at };
  }
}

/** How many recoveries of a group are kept: enough for the loop limit and a look back. */
export const RECOVERIES_KEPT = 20;

function applyRecovery(state: MachineState, recovery: RecoveryRecord): void {
  const list = (state.recoveries.get(recovery.group) ?? []).filter(
    (r) => r.startedAt !== recovery.startedAt,
  );
  list.push(recovery);
  list.sort((a, b) => a.startedAt - b.startedAt);
  state.recoveries.set(recovery.group, list.slice(-RECOVERIES_KEPT));
}

/** Persist, then apply: the record is durable before anything it causes is announced. */
export function record(ctx: Ctx, entry: LogRecord): void {
  ctx.fx.persist(entry);
  applyRecord(ctx.state, entry);
}
