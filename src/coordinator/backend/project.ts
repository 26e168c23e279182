import type { Condition, JsonValue, WriteOp } from '../../etcd/index.js';
import { RECOVERIES_KEPT } from '../protocol/history.js';
import type { LogRecord } from '../protocol/records.js';
import { KEY } from './keys.js';

/** One etcd txn: ops that land together, only while the conditions hold. */
export interface KeyedWrite {
  ops: WriteOp[];
  conditions: Condition[];
}

/** Below etcd's --max-txn-ops (128), with room for the fence. */
const OPS_PER_TXN = 100;

/** Which recoveries each group has in etcd (their startedAt): what a new one may push out. */
export type RecoveryIndex = Map<string, Set<number>>;

/**
 * The etcd writes that record `record`: puts and deletes of the keys it is about. A round's
 * opened, decided and closed records are each written once, guarded by "absent", so that no
 * epoch is opened or decided twice whoever writes. Updates `recoveries` as if they landed.
 */
export function projectRecord(record: LogRecord, recoveries: RecoveryIndex): KeyedWrite[] {
  const value = record as unknown as JsonValue;
  const put = (key: string): WriteOp => ({ type: 'put', key, value });
  switch (record.type) {
    case 'group-applied':
      return [{ ops: [put(KEY.group(record.manifest.name))], conditions: [] }];
    case 'group-deleted':
      return [{ ops: [{ type: 'delete', key: KEY.group(record.name) }], conditions: [] }];
    case 'policy-set':
      return [{ ops: [put(KEY.policy(record.group))], conditions: [] }];
    case 'round-opened':
    case 'round-decided':
    case 'round-closed': {
      const part =
        record.type === 'round-opened'
          ? 'opened'
          : record.type === 'round-decided'
            ? 'decided'
            : 'closed';
      const key = KEY.round(record.group, record.epoch, part);
      return [{ ops: [put(key)], conditions: [{ key, modRevision: 0 }] }];
    }
    case 'checkpoint-stored': {
      const { group, epoch, location } = record.checkpoint;
      // The list entry, and the round's latest stored record (its outcome and where it went).
      const ops = [put(KEY.stored(group, epoch, location)), put(KEY.round(group, epoch, 'stored'))];
      return [{ ops, conditions: [] }];
    }
    case 'checkpoints-pruned': {
      const deletes = record.epochs.map((epoch): WriteOp => ({
        type: 'delete',
        key: KEY.stored(record.group, epoch, record.location),
      }));
      const writes: KeyedWrite[] = [];
      for (let i = 0; i < deletes.length; i += OPS_PER_TXN)
        writes.push({ ops: deletes.slice(i, i + OPS_PER_TXN), conditions: [] });
      return writes;
    }
    case 'recovery': {
      const { group, startedAt } = record.recovery;
      const ops = recoveryOps(group, startedAt, put, recoveries);
      return ops.length === 0 ? [] : [{ ops, conditions: [] }];
    }
  }
}

/** The recovery's put, and deletes of those it pushes past the newest RECOVERIES_KEPT. */
function recoveryOps(
  group: string,
  startedAt: number,
  put: (key: string) => WriteOp,
  recoveries: RecoveryIndex,
): WriteOp[] {
  const known = recoveries.get(group) ?? new Set<number>();
  recoveries.set(group, known);
  known.add(startedAt);
  const dropped = [...known]
    .sort((a, b) => a - b)
    .slice(0, Math.max(0, known.size - RECOVERIES_KEPT));
  for (const old of dropped) known.delete(old);
  const ops: WriteOp[] = dropped
    .filter((old) => old !== startedAt)
    .map((old) => ({ type: 'delete', key: KEY.recovery(group, old) }));
  // The machine keeps only the newest: a recovery older than all of them is not kept either.
  if (!dropped.includes(startedAt)) ops.unshift(put(KEY.recovery(group, startedAt)));
  return ops;
}
