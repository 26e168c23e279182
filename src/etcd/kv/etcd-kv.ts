import { CohortError, ErrorCode } from '../../core/errors.js';
import { call } from '../connection/call.js';
import type { EndpointPool } from '../connection/endpoint-pool.js';
import { decodeJson, encodeJson, type JsonValue } from '../json-value.js';
import type { Keyspace } from '../keyspace.js';
import { toNumber } from '../wire/numbers.js';
import type {
  KeyValue,
  PutResponse,
  RangeRequest,
  RangeResponse,
  TxnRequest,
  TxnResponse,
} from '../wire/types.js';
import { buildTxn } from './build-txn.js';
import type {
  Condition,
  EtcdRecord,
  Fence,
  LoadOptions,
  LoadResult,
  ReadOptions,
  WriteOp,
  WriteResult,
} from './records.js';

const DEFAULT_PAGE_SIZE = 1000;

/** Records as JSON under the data prefix: reads, plain puts, and atomic (optionally fenced) writes. */
export class EtcdKv {
  constructor(
    private readonly pool: EndpointPool,
    private readonly keyspace: Keyspace,
  ) {}

  async get(key: string, options: ReadOptions = {}): Promise<EtcdRecord | undefined> {
    const reply = await this.range(
      { key: this.keyspace.dataKey(key), revision: String(options.revision ?? 0) },
      `get ${key}`,
    );
    const kv = reply.kvs[0];
    return kv === undefined ? undefined : this.toRecord(kv);
  }

  /** Every record under `prefix`, in key order, all read at one revision however many pages. */
  async load(prefix = '', options: LoadOptions = {}): Promise<LoadResult> {
    const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
    const { key, rangeEnd } = this.keyspace.dataRange(prefix);
    const records: EtcdRecord[] = [];
    let revision = options.revision ?? 0;
    let from = key;
    for (;;) {
      const reply = await this.range(
        { key: from, rangeEnd, limit: String(pageSize), revision: String(revision) },
        `load ${prefix === '' ? 'all records' : `records under ${prefix}`}`,
      );
      if (revision === 0) revision = toNumber(reply.header?.revision, 'header.revision');
      for (const kv of reply.kvs) records.push(this.toRecord(kv));
      const last = reply.kvs.at(-1);
      if (!reply.more || last === undefined) return { records, revision };
      // The smallest key after the last one read.
      from = Buffer.concat([last.key, Buffer.from([0])]);
    }
  }

  /** One put without a fence: for data that no leader owns (and the benchmark's baseline). */
  async put(key: string, value: JsonValue): Promise<WriteResult> {
    const request = { key: this.keyspace.dataKey(key), value: encodeJson(value) };
    const reply = await this.pool.request(`put ${key}`, (c, md, options) =>
      call<PutResponse>((cb) => c.kv.put(request, md, options, cb)),
    );
    return { revision: toNumber(reply.header?.revision, 'header.revision') };
  }

  /**
   * All ops in one txn; with a fence, refused with COHORT_ERR_NOT_LEADER once the fence key
   * changed; with conditions, refused with COHORT_ERR_STORE when one of their keys moved.
   */
  async write(
    ops: readonly WriteOp[],
    fence?: Fence,
    conditions: readonly Condition[] = [],
  ): Promise<WriteResult> {
    const reply = await this.txn(buildTxn(this.keyspace, ops, fence, conditions), describe(ops));
    if (!reply.succeeded) {
      if (fence !== undefined && fenceMoved(fence, reply)) throw notLeader(fence, reply);
      if (fence !== undefined || conditions.length > 0)
        throw conflict(conditions, reply, fence === undefined ? 0 : 1);
    }
    return { revision: toNumber(reply.header?.revision, 'header.revision') };
  }

  range(request: RangeRequest, what: string): Promise<RangeResponse> {
    return this.pool.request(what, (c, md, options) =>
      call((cb) => c.kv.range(request, md, options, cb)),
    );
  }

  txn(request: TxnRequest, what: string): Promise<TxnResponse> {
    return this.pool.request(what, (c, md, options) =>
      call((cb) => c.kv.txn(request, md, options, cb)),
    );
  }

  private toRecord(kv: KeyValue): EtcdRecord {
    const key = this.keyspace.recordKey(kv.key);
    return {
      key,
      value: decodeJson(kv.value, key),
      createRevision: toNumber(kv.createRevision, 'createRevision'),
      modRevision: toNumber(kv.modRevision, 'modRevision'),
      version: toNumber(kv.version, 'version'),
    };
  }
}

function describe(ops: readonly WriteOp[]): string {
  const first = ops[0];
  const name =
    first === undefined ? '' : first.type === 'delete-prefix' ? `${first.prefix}*` : first.key;
  return ops.length === 1 ? `write ${name}` : `write ${name} and ${ops.length - 1} more`;
}

function fenceMoved(fence: Fence, reply: TxnResponse): boolean {
  const now = reply.responses[0]?.responseRange?.kvs[0];
  return (
    now === undefined || toNumber(now.createRevision, 'createRevision') !== fence.createRevision
  );
}

/** A condition's key was written by someone else: name the first that moved. */
function conflict(
  conditions: readonly Condition[],
  reply: TxnResponse,
  offset: number,
): CohortError {
  const moved = conditions
    .map((condition, i) => {
      const kv = reply.responses[i + offset]?.responseRange?.kvs[0];
      return { condition, now: kv === undefined ? 0 : toNumber(kv.modRevision, 'modRevision') };
    })
    .find(({ condition, now }) => now !== condition.modRevision);
  const key = moved?.condition.key ?? '';
  const expected = moved?.condition.modRevision ?? 0;
  return new CohortError(
    ErrorCode.Store,
    `write refused: etcd record ${key} was ${expected === 0 ? 'expected absent' : `expected at revision ${expected}`} but is ${moved?.now === 0 ? 'absent' : `at revision ${moved?.now ?? '?'}`}; ` +
      `something else writes under this prefix: give each cohort installation its own etcd prefix`,
    { details: { key, expectedModRevision: expected, modRevision: moved?.now ?? 0 } },
  );
}

function notLeader(fence: Fence, reply: TxnResponse): CohortError {
  const now = reply.responses[0]?.responseRange?.kvs[0];
  const state =
    now === undefined
      ? 'is gone (its lease expired or it was deleted)'
      : `now has create revision ${now.createRevision}`;
  return new CohortError(
    ErrorCode.NotLeader,
    `write refused: this replica is no longer the leader (election key ${fence.key} of revision ${fence.createRevision} ${state}); stop writing and campaign again`,
    {
      details: {
        electionKey: fence.key,
        createRevision: fence.createRevision,
        ...(now === undefined ? {} : { currentCreateRevision: now.createRevision }),
      },
    },
  );
}
