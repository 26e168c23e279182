import * as grpc from '@grpc/grpc-js';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { checkServerIdentity } from 'node:tls';
import { CohortError, ErrorCode } from '../../core/errors.js';
import { MAX_MESSAGE_BYTES } from '../wire/limits.js';

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
  // One connection per client: closing one never disturbs another's streams.
  'grpc.use_local_subchannel_pool': 1,
};

export function isUnixAddress(address: string): boolean {
  return address.startsWith('unix://');
}

/** Stands in as the TLS server name for IP addresses, which SNI does not allow (RFC 6066). */
const IP_SERVER_NAME = 'cohortd';

export interface ChannelSetup {
  credentials: grpc.ChannelCredentials;
  options: grpc.ChannelOptions;
}

/** Credentials for an address: a unix socket needs none; TCP needs mutual TLS unless insecure. */
export function channelFor(
  address: string,
  tls: ClientTls | undefined,
  insecure: boolean | undefined,
): ChannelSetup {
  const credentials = credentialsFor(address, tls, insecure);
  const host = address.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  if (isUnixAddress(address) || tls === undefined || isIP(host) === 0) {
    return { credentials, options: CLIENT_CHANNEL_OPTIONS };
  }
  // The certificate is still checked against the IP itself; only the SNI name changes.
  return {
    credentials: credentialsFor(address, tls, insecure, (_name, cert) =>
      checkServerIdentity(host, cert),
    ),
    options: { ...CLIENT_CHANNEL_OPTIONS, 'grpc.ssl_target_name_override': IP_SERVER_NAME },
  };
}

function credentialsFor(
  address: string,
  tls: ClientTls | undefined,
  insecure: boolean | undefined,
  checkIdentity?: typeof checkServerIdentity,
): grpc.ChannelCredentials {
  if (isUnixAddress(address)) return grpc.credentials.createInsecure();
  if (tls !== undefined) {
    const read = (path: string, what: string): Buffer => {
      try {
        return readFileSync(path);
      } catch (error) {
        throw new CohortError(
          ErrorCode.Config,
          `coordinator.tls.${what} ${path}: cannot be read (${(error as Error).message}); fix the path in the cohort config`,
          { cause: error },
        );
      }
    };
    const verify = checkIdentity === undefined ? {} : { checkServerIdentity: checkIdentity };
    return grpc.credentials.createSsl(
      read(tls.ca, 'ca'),
      read(tls.key, 'key'),
      read(tls.cert, 'cert'),
      verify,
    );
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
    { cause, details: { address, why } },
  );
}
