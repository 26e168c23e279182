// The generated message types under the short names the rest of src/etcd uses.
export type { Compare } from '../generated/etcdserverpb/Compare.js';
export type { KVClient } from '../generated/etcdserverpb/KV.js';
export type { LeaseClient } from '../generated/etcdserverpb/Lease.js';
export type { WatchClient } from '../generated/etcdserverpb/Watch.js';
export type { RangeRequest } from '../generated/etcdserverpb/RangeRequest.js';
export type { RangeResponse__Output as RangeResponse } from '../generated/etcdserverpb/RangeResponse.js';
export type { RequestOp } from '../generated/etcdserverpb/RequestOp.js';
export type { TxnRequest } from '../generated/etcdserverpb/TxnRequest.js';
export type { TxnResponse__Output as TxnResponse } from '../generated/etcdserverpb/TxnResponse.js';
export type { PutResponse__Output as PutResponse } from '../generated/etcdserverpb/PutResponse.js';
export type { WatchRequest } from '../generated/etcdserverpb/WatchRequest.js';
export type { WatchResponse__Output as WatchResponse } from '../generated/etcdserverpb/WatchResponse.js';
export type { LeaseKeepAliveRequest } from '../generated/etcdserverpb/LeaseKeepAliveRequest.js';
export type { LeaseKeepAliveResponse__Output as LeaseKeepAliveResponse } from '../generated/etcdserverpb/LeaseKeepAliveResponse.js';
export type { LeaseGrantResponse__Output as LeaseGrantResponse } from '../generated/etcdserverpb/LeaseGrantResponse.js';
export type { LeaseRevokeResponse__Output as LeaseRevokeResponse } from '../generated/etcdserverpb/LeaseRevokeResponse.js';
export type { KeyValue__Output as KeyValue } from '../generated/mvccpb/KeyValue.js';
export type { Event__Output as WatchEvent } from '../generated/mvccpb/Event.js';
