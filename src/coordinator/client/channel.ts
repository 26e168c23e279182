import * as grpc from '@grpc/grpc-js';
import { readFileSync } from 'node:fs';
import { CohortError, ErrorCode } from '../../core/errors.js';
import { MAX_MESSAGE_BYTES } from '../wire/proto.js';

export interface ClientTls {
  ca: string;
  cert: string;
  key: string;
}

/** Pings every 2 s, gives up on a silent server after 2 s more; reconnects fast after a restart. */
export const CLIENT_CHANNEL_OPTIONS: grpc.ChannelOptions = {
  'grpc.keepalive_time_ms': 2_000,
  'grpc.keepalive_timeout_ms': 2_000,
  'grpc.keepalive_permit_without_calls': 1,
  'grpc.max_receive_message_length': 8 * MAX_MESSAGE_BYTES,
  'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
  'grpc.initial_reconnect_backoff_ms': 200,
  'grpc.max_reconnect_backoff_ms': 1_000,
  'grpc.enable_channelz': 0,
};

export function isUnixAddress(address: string): boolean {
  return address.startsWith('unix://');
}

/** Credentials for an address: a unix socket needs none; TCP needs mutual TLS unless insecure. */
export function credentialsFor(address: string, tls: ClientTls | undefined, insecure: boolean | undefined): grpc.ChannelCredentials {
  if (isUnixAddress(address)) return grpc.credentials.createInsecure();
  if (tls !== undefined) {
    const read = (path: string, what: string): Buffer => {
      try {
        return readFileSync(path);
      } catch (error) {
        throw new CohortError(ErrorCode.Config, `coordinator.tls.${what} ${path}: cannot be read (${(error as Error).message}); fix the path in the cohort config`, { cause: error });
      }
    };
    return grpc.credentials.createSsl(read(tls.ca, 'ca'), read(tls.key, 'key'), read(tls.cert, 'cert'));
  }
  if (insecure === true) return grpc.credentials.createInsecure();
  throw new CohortError(
    ErrorCode.Config,
    `coordinator ${address} is TCP but no TLS is configured; set coordinator.tls { ca, cert, key } or coordinator.insecure: true`,
  );
}

/** The error every caller gets when the coordinator cannot be reached: the address and where to change it. */
export function unreachable(address: string, why: string, cause?: unknown): CohortError {
  return new CohortError(
    ErrorCode.Unreachable,
    `coordinator at ${address} is unreachable (${why}); start cohortd there, or point coordinator.address in the cohort config (COHORT_CONFIG, /etc/cohort/config.json) elsewhere`,
    { cause, details: { address } },
  );
}
