/* eslint-disable @typescript-eslint/no-explicit-any */
// Generated from proto/etcd by proto-loader-gen-types (see src/etcd/wire/proto.ts): do not edit.
import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type {
  Compare as _etcdserverpb_Compare,
  Compare__Output as _etcdserverpb_Compare__Output,
} from './etcdserverpb/Compare.js';
import type {
  DeleteRangeRequest as _etcdserverpb_DeleteRangeRequest,
  DeleteRangeRequest__Output as _etcdserverpb_DeleteRangeRequest__Output,
} from './etcdserverpb/DeleteRangeRequest.js';
import type {
  DeleteRangeResponse as _etcdserverpb_DeleteRangeResponse,
  DeleteRangeResponse__Output as _etcdserverpb_DeleteRangeResponse__Output,
} from './etcdserverpb/DeleteRangeResponse.js';
import type {
  KVClient as _etcdserverpb_KVClient,
  KVDefinition as _etcdserverpb_KVDefinition,
} from './etcdserverpb/KV.js';
import type {
  LeaseClient as _etcdserverpb_LeaseClient,
  LeaseDefinition as _etcdserverpb_LeaseDefinition,
} from './etcdserverpb/Lease.js';
import type {
  LeaseGrantRequest as _etcdserverpb_LeaseGrantRequest,
  LeaseGrantRequest__Output as _etcdserverpb_LeaseGrantRequest__Output,
} from './etcdserverpb/LeaseGrantRequest.js';
import type {
  LeaseGrantResponse as _etcdserverpb_LeaseGrantResponse,
  LeaseGrantResponse__Output as _etcdserverpb_LeaseGrantResponse__Output,
} from './etcdserverpb/LeaseGrantResponse.js';
import type {
  LeaseKeepAliveRequest as _etcdserverpb_LeaseKeepAliveRequest,
  LeaseKeepAliveRequest__Output as _etcdserverpb_LeaseKeepAliveRequest__Output,
} from './etcdserverpb/LeaseKeepAliveRequest.js';
import type {
  LeaseKeepAliveResponse as _etcdserverpb_LeaseKeepAliveResponse,
  LeaseKeepAliveResponse__Output as _etcdserverpb_LeaseKeepAliveResponse__Output,
} from './etcdserverpb/LeaseKeepAliveResponse.js';
import type {
  LeaseRevokeRequest as _etcdserverpb_LeaseRevokeRequest,
  LeaseRevokeRequest__Output as _etcdserverpb_LeaseRevokeRequest__Output,
} from './etcdserverpb/LeaseRevokeRequest.js';
import type {
  LeaseRevokeResponse as _etcdserverpb_LeaseRevokeResponse,
  LeaseRevokeResponse__Output as _etcdserverpb_LeaseRevokeResponse__Output,
} from './etcdserverpb/LeaseRevokeResponse.js';
import type {
  PutRequest as _etcdserverpb_PutRequest,
  PutRequest__Output as _etcdserverpb_PutRequest__Output,
} from './etcdserverpb/PutRequest.js';
import type {
  PutResponse as _etcdserverpb_PutResponse,
  PutResponse__Output as _etcdserverpb_PutResponse__Output,
} from './etcdserverpb/PutResponse.js';
import type {
  RangeRequest as _etcdserverpb_RangeRequest,
  RangeRequest__Output as _etcdserverpb_RangeRequest__Output,
} from './etcdserverpb/RangeRequest.js';
import type {
  RangeResponse as _etcdserverpb_RangeResponse,
  RangeResponse__Output as _etcdserverpb_RangeResponse__Output,
} from './etcdserverpb/RangeResponse.js';
import type {
  RequestOp as _etcdserverpb_RequestOp,
  RequestOp__Output as _etcdserverpb_RequestOp__Output,
} from './etcdserverpb/RequestOp.js';
import type {
  ResponseHeader as _etcdserverpb_ResponseHeader,
  ResponseHeader__Output as _etcdserverpb_ResponseHeader__Output,
} from './etcdserverpb/ResponseHeader.js';
import type {
  ResponseOp as _etcdserverpb_ResponseOp,
  ResponseOp__Output as _etcdserverpb_ResponseOp__Output,
} from './etcdserverpb/ResponseOp.js';
import type {
  TxnRequest as _etcdserverpb_TxnRequest,
  TxnRequest__Output as _etcdserverpb_TxnRequest__Output,
} from './etcdserverpb/TxnRequest.js';
import type {
  TxnResponse as _etcdserverpb_TxnResponse,
  TxnResponse__Output as _etcdserverpb_TxnResponse__Output,
} from './etcdserverpb/TxnResponse.js';
import type {
  WatchClient as _etcdserverpb_WatchClient,
  WatchDefinition as _etcdserverpb_WatchDefinition,
} from './etcdserverpb/Watch.js';
import type {
  WatchCancelRequest as _etcdserverpb_WatchCancelRequest,
  WatchCancelRequest__Output as _etcdserverpb_WatchCancelRequest__Output,
} from './etcdserverpb/WatchCancelRequest.js';
import type {
  WatchCreateRequest as _etcdserverpb_WatchCreateRequest,
  WatchCreateRequest__Output as _etcdserverpb_WatchCreateRequest__Output,
} from './etcdserverpb/WatchCreateRequest.js';
import type {
  WatchRequest as _etcdserverpb_WatchRequest,
  WatchRequest__Output as _etcdserverpb_WatchRequest__Output,
} from './etcdserverpb/WatchRequest.js';
import type {
  WatchResponse as _etcdserverpb_WatchResponse,
  WatchResponse__Output as _etcdserverpb_WatchResponse__Output,
} from './etcdserverpb/WatchResponse.js';
import type {
  Event as _mvccpb_Event,
  Event__Output as _mvccpb_Event__Output,
} from './mvccpb/Event.js';
import type {
  KeyValue as _mvccpb_KeyValue,
  KeyValue__Output as _mvccpb_KeyValue__Output,
} from './mvccpb/KeyValue.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new (...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  etcdserverpb: {
    Compare: MessageTypeDefinition<_etcdserverpb_Compare, _etcdserverpb_Compare__Output>;
    DeleteRangeRequest: MessageTypeDefinition<
      _etcdserverpb_DeleteRangeRequest,
      _etcdserverpb_DeleteRangeRequest__Output
    >;
    DeleteRangeResponse: MessageTypeDefinition<
      _etcdserverpb_DeleteRangeResponse,
      _etcdserverpb_DeleteRangeResponse__Output
    >;
    KV: SubtypeConstructor<typeof grpc.Client, _etcdserverpb_KVClient> & {
      service: _etcdserverpb_KVDefinition;
    };
    Lease: SubtypeConstructor<typeof grpc.Client, _etcdserverpb_LeaseClient> & {
      service: _etcdserverpb_LeaseDefinition;
    };
    LeaseGrantRequest: MessageTypeDefinition<
      _etcdserverpb_LeaseGrantRequest,
      _etcdserverpb_LeaseGrantRequest__Output
    >;
    LeaseGrantResponse: MessageTypeDefinition<
      _etcdserverpb_LeaseGrantResponse,
      _etcdserverpb_LeaseGrantResponse__Output
    >;
    LeaseKeepAliveRequest: MessageTypeDefinition<
      _etcdserverpb_LeaseKeepAliveRequest,
      _etcdserverpb_LeaseKeepAliveRequest__Output
    >;
    LeaseKeepAliveResponse: MessageTypeDefinition<
      _etcdserverpb_LeaseKeepAliveResponse,
      _etcdserverpb_LeaseKeepAliveResponse__Output
    >;
    LeaseRevokeRequest: MessageTypeDefinition<
      _etcdserverpb_LeaseRevokeRequest,
      _etcdserverpb_LeaseRevokeRequest__Output
    >;
    LeaseRevokeResponse: MessageTypeDefinition<
      _etcdserverpb_LeaseRevokeResponse,
      _etcdserverpb_LeaseRevokeResponse__Output
    >;
    PutRequest: MessageTypeDefinition<_etcdserverpb_PutRequest, _etcdserverpb_PutRequest__Output>;
    PutResponse: MessageTypeDefinition<
      _etcdserverpb_PutResponse,
      _etcdserverpb_PutResponse__Output
    >;
    RangeRequest: MessageTypeDefinition<
      _etcdserverpb_RangeRequest,
      _etcdserverpb_RangeRequest__Output
    >;
    RangeResponse: MessageTypeDefinition<
      _etcdserverpb_RangeResponse,
      _etcdserverpb_RangeResponse__Output
    >;
    RequestOp: MessageTypeDefinition<_etcdserverpb_RequestOp, _etcdserverpb_RequestOp__Output>;
    ResponseHeader: MessageTypeDefinition<
      _etcdserverpb_ResponseHeader,
      _etcdserverpb_ResponseHeader__Output
    >;
    ResponseOp: MessageTypeDefinition<_etcdserverpb_ResponseOp, _etcdserverpb_ResponseOp__Output>;
    TxnRequest: MessageTypeDefinition<_etcdserverpb_TxnRequest, _etcdserverpb_TxnRequest__Output>;
    TxnResponse: MessageTypeDefinition<
      _etcdserverpb_TxnResponse,
      _etcdserverpb_TxnResponse__Output
    >;
    Watch: SubtypeConstructor<typeof grpc.Client, _etcdserverpb_WatchClient> & {
      service: _etcdserverpb_WatchDefinition;
    };
    WatchCancelRequest: MessageTypeDefinition<
      _etcdserverpb_WatchCancelRequest,
      _etcdserverpb_WatchCancelRequest__Output
    >;
    WatchCreateRequest: MessageTypeDefinition<
      _etcdserverpb_WatchCreateRequest,
      _etcdserverpb_WatchCreateRequest__Output
    >;
    WatchRequest: MessageTypeDefinition<
      _etcdserverpb_WatchRequest,
      _etcdserverpb_WatchRequest__Output
    >;
    WatchResponse: MessageTypeDefinition<
      _etcdserverpb_WatchResponse,
      _etcdserverpb_WatchResponse__Output
    >;
  };
  mvccpb: {
    Event: MessageTypeDefinition<_mvccpb_Event, _mvccpb_Event__Output>;
    KeyValue: MessageTypeDefinition<_mvccpb_KeyValue, _mvccpb_KeyValue__Output>;
  };
}
