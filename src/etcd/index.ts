// The etcd state backend's building blocks, independent of the coordinator's types.
export { MAX_TXN_OPS } from './kv/build-txn.js';
export { EtcdClient, openEtcd } from './client.js';
export type { CampaignOptions } from './election/campaign.js';
export type { LeaderInfo } from './election/context.js';
export type { Leadership } from './election/leadership.js';
export type { ObserveOptions } from './election/observe.js';
export type { JsonValue } from './json-value.js';
export type {
  Condition,
  EtcdRecord,
  Fence,
  LoadOptions,
  LoadResult,
  ReadOptions,
  WriteOp,
  WriteResult,
} from './kv/records.js';
export {
  ETCD_DEFAULTS,
  normalizeEtcdOptions,
  type EtcdOptions,
  type EtcdSettings,
  type EtcdTlsFiles,
} from './options.js';
