// Generated from proto/etcd by proto-loader-gen-types (see src/etcd/wire/proto.ts): do not edit.
// Original file: proto/etcd/etcdserverpb/rpc.proto

import type {
  WatchCreateRequest as _etcdserverpb_WatchCreateRequest,
  WatchCreateRequest__Output as _etcdserverpb_WatchCreateRequest__Output,
} from '../etcdserverpb/WatchCreateRequest.js';
import type {
  WatchCancelRequest as _etcdserverpb_WatchCancelRequest,
  WatchCancelRequest__Output as _etcdserverpb_WatchCancelRequest__Output,
} from '../etcdserverpb/WatchCancelRequest.js';

export interface WatchRequest {
  createRequest?: _etcdserverpb_WatchCreateRequest | null;
  cancelRequest?: _etcdserverpb_WatchCancelRequest | null;
  requestUnion?: 'createRequest' | 'cancelRequest';
}

export interface WatchRequest__Output {
  createRequest?: _etcdserverpb_WatchCreateRequest__Output | null;
  cancelRequest?: _etcdserverpb_WatchCancelRequest__Output | null;
  requestUnion?: 'createRequest' | 'cancelRequest';
}
