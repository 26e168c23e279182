import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { join } from 'node:path';
import { PROTO_DIR } from '../../core/package-paths.js';

export const PROTO_FILE = join(PROTO_DIR, 'cohort', 'v1', 'coordinator.proto');

/** camelCase fields, numbers for uint64 (epochs and ms times stay far below 2^53), enum names. */
export const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: false,
  oneofs: true,
};

/** A whole round of 4096 members with their names fits many times over. */
export const MAX_MESSAGE_BYTES = 1024 * 1024;

let cached: grpc.ServiceClientConstructor | undefined;

/** The Coordinator service, loaded from the .proto at run time. */
export function coordinatorService(): grpc.ServiceClientConstructor {
  if (cached !== undefined) return cached;
  const definition = protoLoader.loadSync(PROTO_FILE, LOADER_OPTIONS);
  const root = grpc.loadPackageDefinition(definition) as unknown as {
    cohort: { v1: { Coordinator: grpc.ServiceClientConstructor } };
  };
  cached = root.cohort.v1.Coordinator;
  return cached;
}
