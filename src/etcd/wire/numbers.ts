import { CohortError, ErrorCode } from '../../core/errors.js';

/** A revision or count from etcd's int64 strings; revisions stay far below 2^53 in practice. */
export function toNumber(value: string | undefined, field: string): number {
  const n = Number(value ?? '0');
  if (!Number.isSafeInteger(n)) {
    throw new CohortError(
      ErrorCode.Store,
      `etcd sent ${field} = ${String(value)}, past what cohort can count`,
      {
        details: { field, value },
      },
    );
  }
  return n;
}
