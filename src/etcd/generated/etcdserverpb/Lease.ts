// Generated from proto/etcd by proto-loader-gen-types (see src/etcd/wire/proto.ts): do not edit.
// Original file: proto/etcd/etcdserverpb/rpc.proto

import type * as grpc from '@grpc/grpc-js';
import type { MethodDefinition } from '@grpc/proto-loader';
import type {
  LeaseGrantRequest as _etcdserverpb_LeaseGrantRequest,
  LeaseGrantRequest__Output as _etcdserverpb_LeaseGrantRequest__Output,
} from '../etcdserverpb/LeaseGrantRequest.js';
import type {
  LeaseGrantResponse as _etcdserverpb_LeaseGrantResponse,
  LeaseGrantResponse__Output as _etcdserverpb_LeaseGrantResponse__Output,
} from '../etcdserverpb/LeaseGrantResponse.js';
import type {
  LeaseKeepAliveRequest as _etcdserverpb_LeaseKeepAliveRequest,
  LeaseKeepAliveRequest__Output as _etcdserverpb_LeaseKeepAliveRequest__Output,
} from '../etcdserverpb/LeaseKeepAliveRequest.js';
import type {
  LeaseKeepAliveResponse as _etcdserverpb_LeaseKeepAliveResponse,
  LeaseKeepAliveResponse__Output as _etcdserverpb_LeaseKeepAliveResponse__Output,
} from '../etcdserverpb/LeaseKeepAliveResponse.js';
import type {
  LeaseRevokeRequest as _etcdserverpb_LeaseRevokeRequest,
  LeaseRevokeRequest__Output as _etcdserverpb_LeaseRevokeRequest__Output,
} from '../etcdserverpb/LeaseRevokeRequest.js';
import type {
  LeaseRevokeResponse as _etcdserverpb_LeaseRevokeResponse,
  LeaseRevokeResponse__Output as _etcdserverpb_LeaseRevokeResponse__Output,
} from '../etcdserverpb/LeaseRevokeResponse.js';

export interface LeaseClient extends grpc.Client {
  LeaseGrant(
    argument: _etcdserverpb_LeaseGrantRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_etcdserverpb_LeaseGrantResponse__Output>,
  ): grpc.ClientUnaryCall;
  LeaseGrant(
    argument: _etcdserverpb_LeaseGrantRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_etcdserverpb_LeaseGrantResponse__Output>,
  ): grpc.ClientUnaryCall;
  LeaseGrant(
    argument: _etcdserverpb_LeaseGrantRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_etcdserverpb_LeaseGrantResponse__Output>,
  ): grpc.ClientUnaryCall;
  LeaseGrant(
    argument: _etcdserverpb_LeaseGrantRequest,
    callback: grpc.requestCallback<_etcdserverpb_LeaseGrantResponse__Output>,
  ): grpc.ClientUnaryCall;
  leaseGrant(
    argument: _etcdserverpb_LeaseGrantRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_etcdserverpb_LeaseGrantResponse__Output>,
  ): grpc.ClientUnaryCall;
  leaseGrant(
    argument: _etcdserverpb_LeaseGrantRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_etcdserverpb_LeaseGrantResponse__Output>,
  ): grpc.ClientUnaryCall;
  leaseGrant(
    argument: _etcdserverpb_LeaseGrantRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_etcdserverpb_LeaseGrantResponse__Output>,
  ): grpc.ClientUnaryCall;
  leaseGrant(
    argument: _etcdserverpb_LeaseGrantRequest,
    callback: grpc.requestCallback<_etcdserverpb_LeaseGrantResponse__Output>,
  ): grpc.ClientUnaryCall;

  LeaseKeepAlive(
    metadata: grpc.Metadata,
    options?: grpc.CallOptions,
  ): grpc.ClientDuplexStream<
    _etcdserverpb_LeaseKeepAliveRequest,
    _etcdserverpb_LeaseKeepAliveResponse__Output
  >;
  LeaseKeepAlive(
    options?: grpc.CallOptions,
  ): grpc.ClientDuplexStream<
    _etcdserverpb_LeaseKeepAliveRequest,
    _etcdserverpb_LeaseKeepAliveResponse__Output
  >;
  leaseKeepAlive(
    metadata: grpc.Metadata,
    options?: grpc.CallOptions,
  ): grpc.ClientDuplexStream<
    _etcdserverpb_LeaseKeepAliveRequest,
    _etcdserverpb_LeaseKeepAliveResponse__Output
  >;
  leaseKeepAlive(
    options?: grpc.CallOptions,
  ): grpc.ClientDuplexStream<
    _etcdserverpb_LeaseKeepAliveRequest,
    _etcdserverpb_LeaseKeepAliveResponse__Output
  >;

  LeaseRevoke(
    argument: _etcdserverpb_LeaseRevokeRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_etcdserverpb_LeaseRevokeResponse__Output>,
  ): grpc.ClientUnaryCall;
  LeaseRevoke(
    argument: _etcdserverpb_LeaseRevokeRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_etcdserverpb_LeaseRevokeResponse__Output>,
  ): grpc.ClientUnaryCall;
  LeaseRevoke(
    argument: _etcdserverpb_LeaseRevokeRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_etcdserverpb_LeaseRevokeResponse__Output>,
  ): grpc.ClientUnaryCall;
  LeaseRevoke(
    argument: _etcdserverpb_LeaseRevokeRequest,
    callback: grpc.requestCallback<_etcdserverpb_LeaseRevokeResponse__Output>,
  ): grpc.ClientUnaryCall;
  leaseRevoke(
    argument: _etcdserverpb_LeaseRevokeRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_etcdserverpb_LeaseRevokeResponse__Output>,
  ): grpc.ClientUnaryCall;
  leaseRevoke(
    argument: _etcdserverpb_LeaseRevokeRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_etcdserverpb_LeaseRevokeResponse__Output>,
  ): grpc.ClientUnaryCall;
  leaseRevoke(
    argument: _etcdserverpb_LeaseRevokeRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_etcdserverpb_LeaseRevokeResponse__Output>,
  ): grpc.ClientUnaryCall;
  leaseRevoke(
    argument: _etcdserverpb_LeaseRevokeRequest,
    callback: grpc.requestCallback<_etcdserverpb_LeaseRevokeResponse__Output>,
  ): grpc.ClientUnaryCall;
}

export interface LeaseHandlers extends grpc.UntypedServiceImplementation {
  LeaseGrant: grpc.handleUnaryCall<
    _etcdserverpb_LeaseGrantRequest__Output,
    _etcdserverpb_LeaseGrantResponse
  >;

  LeaseKeepAlive: grpc.handleBidiStreamingCall<
    _etcdserverpb_LeaseKeepAliveRequest__Output,
    _etcdserverpb_LeaseKeepAliveResponse
  >;

  LeaseRevoke: grpc.handleUnaryCall<
    _etcdserverpb_LeaseRevokeRequest__Output,
    _etcdserverpb_LeaseRevokeResponse
  >;
}

export interface LeaseDefinition extends grpc.ServiceDefinition {
  LeaseGrant: MethodDefinition<
    _etcdserverpb_LeaseGrantRequest,
    _etcdserverpb_LeaseGrantResponse,
    _etcdserverpb_LeaseGrantRequest__Output,
    _etcdserverpb_LeaseGrantResponse__Output
  >;
  LeaseKeepAlive: MethodDefinition<
    _etcdserverpb_LeaseKeepAliveRequest,
    _etcdserverpb_LeaseKeepAliveResponse,
    _etcdserverpb_LeaseKeepAliveRequest__Output,
    _etcdserverpb_LeaseKeepAliveResponse__Output
  >;
  LeaseRevoke: MethodDefinition<
    _etcdserverpb_LeaseRevokeRequest,
    _etcdserverpb_LeaseRevokeResponse,
    _etcdserverpb_LeaseRevokeRequest__Output,
    _etcdserverpb_LeaseRevokeResponse__Output
  >;
}
