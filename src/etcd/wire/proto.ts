import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { join } from 'node:path';
import { PROTO_DIR } from '../../core/package-paths.js';
import type { ProtoGrpcType } from '../generated/rpc.js';

/** etcd's own API, trimmed to the calls cohort makes (see the header of each .proto). */
export const ETCD_PROTO_DIR = join(PROTO_DIR, 'etcd');

/**
 * The loader options match how ../generated was made, so the generated types are true:
 *   npx proto-loader-gen-types --longs=String --enums=String --defaults --oneofs \
 *     --grpcLib=@grpc/grpc-js --importFileExtension=.js -I proto/etcd -O src/etcd/generated \
 *     etcdserverpb/rpc.proto
 * then a "Generated … do not edit" first line in each file, an eslint-disable of no-explicit-any
 * atop rpc.ts, and prettier --write.
 * Strings for int64: lease IDs use all 63 bits, past what a number holds.
 */
const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: false,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [ETCD_PROTO_DIR],
};

export type EtcdServices = ProtoGrpcType['etcdserverpb'];

let cached: EtcdServices | undefined;

export function etcdServices(): EtcdServices {
  if (cached !== undefined) return cached;
  const definition = protoLoader.loadSync('etcdserverpb/rpc.proto', LOADER_OPTIONS);
  cached = (grpc.loadPackageDefinition(definition) as unknown as ProtoGrpcType).etcdserverpb;
  return cached;
}
