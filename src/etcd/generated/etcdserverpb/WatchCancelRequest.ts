// Generated from proto/etcd by proto-loader-gen-types (see src/etcd/wire/proto.ts): do not edit.
// Original file: proto/etcd/etcdserverpb/rpc.proto

import type { Long } from '@grpc/proto-loader';

export interface WatchCancelRequest {
  watchId?: number | string | Long;
}

export interface WatchCancelRequest__Output {
  watchId: string;
}
