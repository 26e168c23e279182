import { CohortError, ErrorCode } from '../../core/errors.js';
import type { Decision } from '../client-types.js';

export type Abort = { reason: string; culprit?: string };

/** What a pending barrier wait rejects with when its round aborts: the reason and the culprit. */
export function abortError(epoch: number, group: string, abort: Abort): CohortError {
  const culprit = abort.culprit === undefined ? '' : ` (member ${abort.culprit})`;
  return new CohortError(
    ErrorCode.Aborted,
    `round ${epoch} of group ${group} aborted: ${abort.reason}${culprit}`,
    {
      details: { reason: abort.reason, culprit: abort.culprit, epoch, group },
    },
  );
}

export function abortDecision(epoch: number, abort: Abort): Decision {
  return {
    commit: false,
    epoch,
    reason: abort.reason,
    ...(abort.culprit === undefined ? {} : { culprit: abort.culprit }),
  };
}

export function pick(event: { reason?: string; culprit?: string }): {
  reason?: string;
  culprit?: string;
} {
  return {
    ...(event.reason === undefined ? {} : { reason: event.reason }),
    ...(event.culprit === undefined ? {} : { culprit: event.culprit }),
  };
}

/** A code from the wire, trusted only if it is one of ours. */
export function errorCodeOf(code: string): ErrorCode {
  return (Object.values(ErrorCode) as string[]).includes(code)
    ? (code as ErrorCode)
    : ErrorCode.Protocol;
}
