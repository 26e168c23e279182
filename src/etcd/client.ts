import { EndpointPool } from './connection/endpoint-pool.js';
import { campaign, type CampaignOptions } from './election/campaign.js';
import { readLeader, type ElectionContext, type LeaderInfo } from './election/context.js';
import type { Leadership } from './election/leadership.js';
import { observeLeader, type ObserveOptions } from './election/observe.js';
import type { JsonValue } from './json-value.js';
import { Keyspace } from './keyspace.js';
import { EtcdKv } from './kv/etcd-kv.js';
import type {
  Condition,
  EtcdRecord,
  Fence,
  LoadOptions,
  LoadResult,
  ReadOptions,
  WriteOp,
  WriteResult,
} from './kv/records.js';
import { normalizeEtcdOptions, type EtcdOptions, type EtcdSettings } from './options.js';

/**
 * cohort's view of etcd: JSON records under one installation's prefix, an election on a lease,
 * and writes fenced on the leader's key.
 */
export class EtcdClient {
  private readonly pool: EndpointPool;
  private readonly kv: EtcdKv;
  private readonly election: ElectionContext;

  constructor(readonly settings: EtcdSettings) {
    const keyspace = new Keyspace(settings.prefix);
    this.pool = new EndpointPool(settings);
    this.kv = new EtcdKv(this.pool, keyspace);
    this.election = { pool: this.pool, kv: this.kv, keyspace, settings };
  }

  get(key: string, options?: ReadOptions): Promise<EtcdRecord | undefined> {
    return this.kv.get(key, options);
  }

  /** Every record under `prefix` in key order, all as of one revision (paginated underneath). */
  load(prefix?: string, options?: LoadOptions): Promise<LoadResult> {
    return this.kv.load(prefix, options);
  }

  /** One unfenced put. A leader writes through `Leadership.write` instead. */
  put(key: string, value: JsonValue): Promise<WriteResult> {
    return this.kv.put(key, value);
  }

  /**
   * Several puts and deletes in one txn; with a fence, only while that election key stands; with
   * conditions, only while each named record is at its mod revision (0: absent).
   */
  write(
    ops: readonly WriteOp[],
    fence?: Fence,
    conditions?: readonly Condition[],
  ): Promise<WriteResult> {
    return this.kv.write(ops, fence, conditions);
  }

  /** Resolves once this contender leads; see `Leadership` for what leading gives. */
  campaign(value: JsonValue, options?: CampaignOptions): Promise<Leadership> {
    return campaign(this.election, value, options);
  }

  /** The current leader, or undefined. */
  async leader(): Promise<LeaderInfo | undefined> {
    return (await readLeader(this.election)).leader;
  }

  /** Reports the leader now and on every change; returns the function that stops it. */
  observe(
    callback: (leader: LeaderInfo | undefined) => void,
    options?: ObserveOptions,
  ): () => void {
    return observeLeader(this.election, callback, options);
  }

  /** Closes every channel; a leadership held through this client stops being renewed. */
  close(): void {
    this.pool.close();
  }
}

/**
 * Checks the options, connects, and reads once so that a wrong endpoint, certificate or a cluster
 * without quorum is reported now, as one clear CohortError, not at the first write.
 */
export async function openEtcd(options: EtcdOptions): Promise<EtcdClient> {
  const client = new EtcdClient(normalizeEtcdOptions(options));
  try {
    await client.leader();
  } catch (error) {
    client.close();
    throw error;
  }
  return client;
}
