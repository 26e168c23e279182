import type { EndpointPool } from '../connection/endpoint-pool.js';
import { decodeJson, type JsonValue } from '../json-value.js';
import type { Keyspace } from '../keyspace.js';
import type { EtcdKv } from '../kv/etcd-kv.js';
import type { EtcdSettings } from '../options.js';
import { toNumber } from '../wire/numbers.js';
import type { KeyValue } from '../wire/types.js';

/** What the election parts share: one pool, one keyspace, one KV. */
export interface ElectionContext {
  pool: EndpointPool;
  kv: EtcdKv;
  keyspace: Keyspace;
  settings: EtcdSettings;
}

/** The contender that leads (or is about to): the one with the lowest create revision. */
export interface LeaderInfo {
  /** Its etcd key: the election prefix and its lease ID in hex. */
  key: string;
  /** What it campaigned with, e.g. the address followers send clients to. */
  value: JsonValue;
  createRevision: number;
  /** Its lease ID in hex. */
  lease: string;
}

export function toLeaderInfo(kv: KeyValue): LeaderInfo {
  const key = kv.key.toString('utf8');
  return {
    key,
    value: decodeJson(kv.value, key),
    createRevision: toNumber(kv.createRevision, 'createRevision'),
    lease: BigInt(kv.lease).toString(16),
  };
}

/** The current leader, if any: one read of the lowest create revision under the election prefix. */
export async function readLeader(
  context: ElectionContext,
): Promise<{ leader?: LeaderInfo; revision: number }> {
  const reply = await context.kv.range(
    { ...context.keyspace.electionRange(), sortOrder: 'ASCEND', sortTarget: 'CREATE', limit: '1' },
    'read the leader',
  );
  const first = reply.kvs[0];
  const revision = toNumber(reply.header?.revision, 'header.revision');
  return first === undefined ? { revision } : { leader: toLeaderInfo(first), revision };
}
