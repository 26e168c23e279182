import { CohortError, ErrorCode } from '../../core/errors.js';
import type * as wire from '../../gen/cohort/v1/coordinator.js';
import type { Decision } from '../client-types.js';
import { nonEmpty, optional } from '../wire/optional.js';
import { parseDetails } from '../wire/status-map.js';

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

/** The abort decision a refusal with code Aborted carries in its details. */
export function abortOf(epoch: number, refusal: CohortError): Decision {
  const { reason, culprit } = refusal.details;
  return abortDecision(epoch, {
    reason: typeof reason === 'string' && reason !== '' ? reason : refusal.message,
    ...(typeof culprit === 'string' && culprit !== '' ? { culprit } : {}),
  });
}

/** The reason and culprit a decision or abort names; proto3's '' is none. */
export function pick(event: { reason: string; culprit: string }): {
  reason?: string;
  culprit?: string;
} {
  return optional({ reason: nonEmpty(event.reason), culprit: nonEmpty(event.culprit) });
}

/** The server's refusal of a request on the stream, as the CohortError it carries. */
export function refusalOf(error: wire.Error): CohortError {
  // A code from the wire is trusted only if it is one of ours.
  const code = (Object.values(ErrorCode) as string[]).includes(error.code)
    ? (error.code as ErrorCode)
    : ErrorCode.Protocol;
  return new CohortError(code, error.message, { details: parseDetails(error.detailsJson) });
}
