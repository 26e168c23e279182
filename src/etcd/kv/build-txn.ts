import { CohortError, ErrorCode } from '../../core/errors.js';
import { encodeJson } from '../json-value.js';
import type { Keyspace } from '../keyspace.js';
import type { RequestOp, TxnRequest } from '../wire/types.js';
import type { Condition, Fence, WriteOp } from './records.js';

/** etcd's --max-txn-ops default: a txn with more operations is refused. */
export const MAX_TXN_OPS = 128;

/**
 * One txn for the whole write. With a fence, the ops run only if the fence key still has its
 * create revision, and each condition's key its mod revision; otherwise the txn reads those
 * keys, so the refusal can say what became of them (the fence key first).
 */
export function buildTxn(
  keyspace: Keyspace,
  ops: readonly WriteOp[],
  fence?: Fence,
  conditions: readonly Condition[] = [],
): TxnRequest {
  if (ops.length === 0 || ops.length > MAX_TXN_OPS) {
    throw new CohortError(
      ErrorCode.Store,
      `an etcd write holds ${ops.length} operations: give 1 to ${MAX_TXN_OPS} (etcd's --max-txn-ops), or split it`,
      { details: { operations: ops.length, max: MAX_TXN_OPS } },
    );
  }
  const success = ops.map((op) => toRequestOp(keyspace, op));
  const compare: TxnRequest['compare'] = [];
  const failure: TxnRequest['failure'] = [];
  if (fence !== undefined) {
    const key = Buffer.from(fence.key);
    compare.push({
      key,
      target: 'CREATE',
      result: 'EQUAL',
      createRevision: String(fence.createRevision),
    });
    failure.push({ requestRange: { key } });
  }
  for (const condition of conditions) {
    const key = keyspace.dataKey(condition.key);
    compare.push({
      key,
      target: 'MOD',
      result: 'EQUAL',
      modRevision: String(condition.modRevision),
    });
    failure.push({ requestRange: { key } });
  }
  return { compare, success, failure };
}

function toRequestOp(keyspace: Keyspace, op: WriteOp): RequestOp {
  switch (op.type) {
    case 'put':
      return { requestPut: { key: keyspace.dataKey(op.key), value: encodeJson(op.value) } };
    case 'delete':
      return { requestDeleteRange: { key: keyspace.dataKey(op.key) } };
    case 'delete-prefix':
      return { requestDeleteRange: keyspace.dataRange(op.prefix) };
  }
}
