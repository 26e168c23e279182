import { CohortError, ErrorCode } from '../core/errors.js';

/** Group and member names: safe in paths, log lines, metric labels and certificate CNs. */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

export function isValidName(value: unknown): value is string {
  return typeof value === 'string' && NAME_PATTERN.test(value);
}

/** Throws BadMessage naming the field when `value` is not a valid group or member name. */
export function checkName(value: unknown, field: string): string {
  if (isValidName(value)) return value;
  throw new CohortError(
    ErrorCode.BadMessage,
    `${field}: ${JSON.stringify(value) ?? 'nothing'} is not a valid name; use 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit`,
    { details: { field } },
  );
}
