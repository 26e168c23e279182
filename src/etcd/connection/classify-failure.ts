import { status } from '@grpc/grpc-js';
import type { Endpoint } from '../endpoints.js';

/**
 * Why a request to one member failed, as far as what to do next goes: `connect` and `tls` mean
 * the member was not reached; `no-leader` and `timeout` mean it was reached but could not commit
 * (quorum lost, an election under way); `other` is an answer another member would repeat.
 */
export type FailureKind = 'connect' | 'tls' | 'no-leader' | 'timeout' | 'other';

export interface Failure {
  kind: FailureKind;
  endpoint: Endpoint;
  /** Short and one-line, for messages. */
  reason: string;
  grpcCode?: number;
}

// Node's TLS errors and OpenSSL alerts, as grpc-js passes them on in the status details.
const TLS_TEXT =
  /certificate|ssl|tls|handshake|self[- ]signed|altnames|unable to (?:get|verify)|wrong version number/i;
// etcd's answers (rpctypes) for a member that cannot reach agreement right now.
const NO_LEADER_TEXT = /etcdserver: (?:no leader|leader changed|not capable|too many requests)/;
const TIMEOUT_TEXT = /etcdserver: request timed out/;

export function classifyFailure(error: unknown, endpoint: Endpoint): Failure {
  const code = grpcCode(error);
  const details = shorten(grpcDetails(error));
  const failure = (kind: FailureKind): Failure => ({
    kind,
    endpoint,
    reason: details,
    ...(code === undefined ? {} : { grpcCode: code }),
  });
  if (code === status.DEADLINE_EXCEEDED || TIMEOUT_TEXT.test(details)) return failure('timeout');
  if (NO_LEADER_TEXT.test(details)) return failure('no-leader');
  if (
    code === status.UNAVAILABLE ||
    (code === status.CANCELLED && /connection|socket/i.test(details))
  ) {
    return failure(TLS_TEXT.test(details) ? 'tls' : 'connect');
  }
  return failure('other');
}

function grpcCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

function grpcDetails(error: unknown): string {
  const details = (error as { details?: unknown } | null)?.details;
  if (typeof details === 'string' && details.length > 0) return details;
  return error instanceof Error ? error.message : String(error);
}

/**
 * grpc-js wraps the cause in "No connection established. Last error: …" with a timestamp and a
 * resolution note; OpenSSL adds its file and line. Keep the words a person acts on.
 */
export function shorten(details: string): string {
  const openssl = /SSL routines:[^:]*:([^:]+):/.exec(details)?.[1];
  const text = openssl ?? details;
  return text
    .replace(/^No connection established\. Last error: /, '')
    .replace(/^Error: /, '')
    .replace(/\s*\(\d{4}-\d\d-\d\dT[^)]*\).*$/, '')
    .replace(/\.?\s*Resolution note:.*$/, '')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 200);
}
