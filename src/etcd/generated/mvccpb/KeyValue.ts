// Generated from proto/etcd by proto-loader-gen-types (see src/etcd/wire/proto.ts): do not edit.
// Original file: proto/etcd/mvccpb/kv.proto

import type { Long } from '@grpc/proto-loader';

export interface KeyValue {
  key?: Buffer | Uint8Array | string;
  createRevision?: number | string | Long;
  modRevision?: number | string | Long;
  version?: number | string | Long;
  value?: Buffer | Uint8Array | string;
  lease?: number | string | Long;
}

export interface KeyValue__Output {
  key: Buffer;
  createRevision: string;
  modRevision: string;
  version: string;
  value: Buffer;
  lease: string;
}
