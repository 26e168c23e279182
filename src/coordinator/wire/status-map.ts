import { status as Status, Metadata, type ServiceError, type StatusObject } from '@grpc/grpc-js';
import { CohortError, ErrorCode, toCohortError } from '../../core/errors.js';

/** The one mapping from cohort's error codes to gRPC status codes. */
const STATUS_OF: Partial<Record<ErrorCode, Status>> = {
  [ErrorCode.Config]: Status.INVALID_ARGUMENT,
  [ErrorCode.Argv]: Status.INVALID_ARGUMENT,
  [ErrorCode.Bundle]: Status.FAILED_PRECONDITION,
  [ErrorCode.Spec]: Status.FAILED_PRECONDITION,
  [ErrorCode.Annotation]: Status.INVALID_ARGUMENT,
  [ErrorCode.Runc]: Status.INTERNAL,
  [ErrorCode.Unreachable]: Status.UNAVAILABLE,
  [ErrorCode.Aborted]: Status.ABORTED,
  [ErrorCode.Protocol]: Status.FAILED_PRECONDITION,
  [ErrorCode.StaleEpoch]: Status.FAILED_PRECONDITION,
  [ErrorCode.UnknownGroup]: Status.NOT_FOUND,
  [ErrorCode.NotMember]: Status.FAILED_PRECONDITION,
  [ErrorCode.DuplicateMember]: Status.ALREADY_EXISTS,
  [ErrorCode.BadMessage]: Status.INVALID_ARGUMENT,
  [ErrorCode.Permission]: Status.PERMISSION_DENIED,
  [ErrorCode.Manifest]: Status.INVALID_ARGUMENT,
  [ErrorCode.Store]: Status.INTERNAL,
  [ErrorCode.Session]: Status.INTERNAL,
  [ErrorCode.NotFound]: Status.NOT_FOUND,
  [ErrorCode.Engine]: Status.INTERNAL,
  [ErrorCode.EngineMissing]: Status.INTERNAL,
  [ErrorCode.Criu]: Status.INTERNAL,
  [ErrorCode.Internal]: Status.INTERNAL,
  [ErrorCode.RoundBusy]: Status.FAILED_PRECONDITION,
  [ErrorCode.NotPermanent]: Status.FAILED_PRECONDITION,
  // A follower, or a replica cut off from etcd: another replica may answer.
  [ErrorCode.NotLeader]: Status.UNAVAILABLE,
  [ErrorCode.EtcdUnreachable]: Status.UNAVAILABLE,
  [ErrorCode.EtcdNoQuorum]: Status.UNAVAILABLE,
};

const CODE_KEY = 'cohort-error-code';
const DETAILS_KEY = 'cohort-error-details';

export function grpcStatusOf(error: CohortError): Status {
  return STATUS_OF[error.code] ?? Status.INTERNAL;
}

/** A CohortError as a gRPC status, its code and details riding along in trailers. */
export function toStatusObject(error: unknown): Partial<StatusObject> {
  const cohort = toCohortError(error);
  const metadata = new Metadata();
  metadata.set(CODE_KEY, cohort.code);
  metadata.set(DETAILS_KEY, JSON.stringify(cohort.details));
  return { code: grpcStatusOf(cohort), details: cohort.message, metadata };
}

/** Back from a gRPC error to the CohortError the server meant, or one the status implies. */
export function fromServiceError(error: ServiceError, context: string): CohortError {
  const code = error.metadata?.get(CODE_KEY)[0];
  const details = parseDetails(error.metadata?.get(DETAILS_KEY)[0]);
  if (typeof code === 'string' && (Object.values(ErrorCode) as string[]).includes(code)) {
    return new CohortError(code as ErrorCode, error.details, { cause: error, details });
  }
  const fallback =
    error.code === Status.UNAVAILABLE || error.code === Status.DEADLINE_EXCEEDED
      ? ErrorCode.Unreachable
      : error.code === Status.PERMISSION_DENIED || error.code === Status.UNAUTHENTICATED
        ? ErrorCode.Permission
        : error.code === Status.INVALID_ARGUMENT || error.code === Status.RESOURCE_EXHAUSTED
          ? ErrorCode.BadMessage
          : ErrorCode.Internal;
  return new CohortError(fallback, `${context}: ${error.details || error.message}`, {
    cause: error,
    details,
  });
}

export function parseDetails(text: unknown): CohortError['details'] {
  if (typeof text !== 'string' || text === '') return {};
  try {
    const parsed = JSON.parse(text) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as CohortError['details']) : {};
  } catch {
    return {};
  }
}
