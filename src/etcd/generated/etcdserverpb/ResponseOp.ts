// Generated from proto/etcd by proto-loader-gen-types (see src/etcd/wire/proto.ts): do not edit.
// Original file: proto/etcd/etcdserverpb/rpc.proto

import type {
  RangeResponse as _etcdserverpb_RangeResponse,
  RangeResponse__Output as _etcdserverpb_RangeResponse__Output,
} from '../etcdserverpb/RangeResponse.js';
import type {
  PutResponse as _etcdserverpb_PutResponse,
  PutResponse__Output as _etcdserverpb_PutResponse__Output,
} from '../etcdserverpb/PutResponse.js';
import type {
  DeleteRangeResponse as _etcdserverpb_DeleteRangeResponse,
  DeleteRangeResponse__Output as _etcdserverpb_DeleteRangeResponse__Output,
} from '../etcdserverpb/DeleteRangeResponse.js';

export interface ResponseOp {
  responseRange?: _etcdserverpb_RangeResponse | null;
  responsePut?: _etcdserverpb_PutResponse | null;
  responseDeleteRange?: _etcdserverpb_DeleteRangeResponse | null;
  response?: 'responseRange' | 'responsePut' | 'responseDeleteRange';
}

export interface ResponseOp__Output {
  responseRange?: _etcdserverpb_RangeResponse__Output | null;
  responsePut?: _etcdserverpb_PutResponse__Output | null;
  responseDeleteRange?: _etcdserverpb_DeleteRangeResponse__Output | null;
  response?: 'responseRange' | 'responsePut' | 'responseDeleteRange';
}
