/** Stable error codes: callers and tests match on these, never on message text. */
export const ErrorCode = {
  Config: 'COHORT_ERR_CONFIG',
  Argv: 'COHORT_ERR_ARGV',
  Bundle: 'COHORT_ERR_BUNDLE',
  Spec: 'COHORT_ERR_SPEC',
  Annotation: 'COHORT_ERR_ANNOTATION',
  Runc: 'COHORT_ERR_RUNC',
  Unreachable: 'COHORT_ERR_COORDINATOR_UNREACHABLE',
  Aborted: 'COHORT_ERR_ABORTED',
  Protocol: 'COHORT_ERR_PROTOCOL',
  StaleEpoch: 'COHORT_ERR_STALE_EPOCH',
  UnknownGroup: 'COHORT_ERR_UNKNOWN_GROUP',
  NotMember: 'COHORT_ERR_NOT_MEMBER',
  DuplicateMember: 'COHORT_ERR_DUPLICATE_MEMBER',
  BadMessage: 'COHORT_ERR_BAD_MESSAGE',
  Permission: 'COHORT_ERR_PERMISSION',
  Manifest: 'COHORT_ERR_MANIFEST',
  Store: 'COHORT_ERR_STORE',
  Session: 'COHORT_ERR_SESSION',
  /** A group member's checkpoint or restore found no session host running on its node. */
  NoSessionHost: 'COHORT_ERR_NO_SESSION_HOST',
  NotFound: 'COHORT_ERR_NOT_FOUND',
  Engine: 'COHORT_ERR_ENGINE',
  /** A program cohort drives (podman, openssl) is not installed or not executable. */
  EngineMissing: 'COHORT_ERR_ENGINE_MISSING',
  Criu: 'COHORT_ERR_CRIU',
  Internal: 'COHORT_ERR_INTERNAL',
  RoundBusy: 'COHORT_ERR_ROUND_BUSY',
  NotPermanent: 'COHORT_ERR_NOT_PERMANENT',
  /** This replica no longer leads: its etcd election key is gone or changed, so its writes are refused. */
  NotLeader: 'COHORT_ERR_NOT_LEADER',
  /** No etcd endpoint accepted a connection within the request timeout. */
  EtcdUnreachable: 'COHORT_ERR_ETCD_UNREACHABLE',
  /** etcd answered but could not commit or read in time: no raft leader, quorum lost. */
  EtcdNoQuorum: 'COHORT_ERR_ETCD_NO_QUORUM',
  /** The TLS handshake with etcd failed: wrong CA, or a client certificate etcd does not trust. */
  EtcdTls: 'COHORT_ERR_ETCD_TLS',
  /** A checkpoint store's location does not parse (`dir:/abs/path` or `oci://HOST[:PORT]/REPO`). */
  StoreLocation: 'COHORT_ERR_STORE_LOCATION',
  /** The store's registry did not answer (refused, unresolvable, TLS failure, timeout, reset). */
  StoreUnreachable: 'COHORT_ERR_STORE_UNREACHABLE',
  /** The registry refused the credentials (401/403), or none were found for it. */
  StoreAuth: 'COHORT_ERR_STORE_AUTH',
  /** A `dir:` store's filesystem is full (ENOSPC/EDQUOT). */
  StoreFull: 'COHORT_ERR_STORE_FULL',
  /** What the store returned does not match the digest recorded for it. */
  StoreDigest: 'COHORT_ERR_STORE_DIGEST',
  /** No stored checkpoint for the group, or not the epoch or member asked for. */
  StoreNotFound: 'COHORT_ERR_STORE_NOT_FOUND',
  /** The store holds another group's checkpoints under the name asked for. */
  StoreWrongGroup: 'COHORT_ERR_STORE_WRONG_GROUP',
  /** Any other store failure: an unexpected registry answer, a source that failed, local I/O. */
  StoreIo: 'COHORT_ERR_STORE_IO',
  /** A group checkpoint committed, but not every member's archive reached the store. */
  NotStored: 'COHORT_ERR_NOT_STORED',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface CohortErrorOptions {
  cause?: unknown;
  /** Structured facts for logs and gRPC details (member, group, epoch, key, path). */
  details?: Record<string, string | number | boolean | undefined>;
}

/** The one error type of cohort: a stable code, a message that names the input and the fix. */
export class CohortError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, string | number | boolean | undefined>;

  constructor(code: ErrorCode, message: string, options: CohortErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CohortError';
    this.code = code;
    this.details = options.details ?? {};
  }
}

export function isCohortError(error: unknown, code?: ErrorCode): error is CohortError {
  return error instanceof CohortError && (code === undefined || error.code === code);
}

/** Wraps anything thrown into a CohortError, keeping the original as the cause. */
export function toCohortError(error: unknown, code: ErrorCode = ErrorCode.Internal): CohortError {
  if (error instanceof CohortError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new CohortError(code, message, { cause: error });
}
