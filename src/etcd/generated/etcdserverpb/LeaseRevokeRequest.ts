// Generated from proto/etcd by proto-loader-gen-types (see src/etcd/wire/proto.ts): do not edit.
// Original file: proto/etcd/etcdserverpb/rpc.proto

import type { Long } from '@grpc/proto-loader';

export interface LeaseRevokeRequest {
  ID?: number | string | Long;
}

export interface LeaseRevokeRequest__Output {
  ID: string;
}
