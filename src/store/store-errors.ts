import { CohortError, ErrorCode } from '../core/errors.js';
import type { StoredCheckpoint } from './types.js';

/** The store's errors, one place for their wording: the location, what failed, and the fix. */
export const storeError = {
  unreachable(location: string, why: string, fix: string, cause?: unknown): CohortError {
    return new CohortError(
      ErrorCode.StoreUnreachable,
      `store ${location} is unreachable: ${why}; ${fix}`,
      {
        cause,
        details: { location },
      },
    );
  },
  auth(location: string, why: string, fix: string): CohortError {
    return new CohortError(
      ErrorCode.StoreAuth,
      `store ${location} refused access: ${why}; ${fix}`,
      {
        details: { location },
      },
    );
  },
  full(location: string, path: string, cause: unknown): CohortError {
    return new CohortError(
      ErrorCode.StoreFull,
      `store ${location} is full: no space left writing ${path}; free space there or prune old checkpoints (the previous checkpoint is intact)`,
      { cause, details: { location, path } },
    );
  },
  digest(location: string, member: string, expected: string, actual: string): CohortError {
    return new CohortError(
      ErrorCode.StoreDigest,
      `store ${location}: member ${member}'s archive has digest ${actual}, but the record says ${expected}; the stored copy is damaged, fetch another epoch`,
      { details: { location, member, expected, actual } },
    );
  },
  notFound(location: string, group: string, what: string, fix: string): CohortError {
    return new CohortError(
      ErrorCode.StoreNotFound,
      `store ${location} has no ${what} of group ${group}; ${fix}`,
      {
        details: { location, group },
      },
    );
  },
  wrongGroup(location: string, asked: string, found: string): CohortError {
    return new CohortError(
      ErrorCode.StoreWrongGroup,
      `store ${location} holds group ${found}'s checkpoints, not group ${asked}'s; give group ${asked} a location of its own`,
      { details: { location, group: asked, found } },
    );
  },
  io(
    location: string,
    what: string,
    cause?: unknown,
    fix = 'check the store and try again',
  ): CohortError {
    return new CohortError(ErrorCode.StoreIo, `store ${location}: ${what}; ${fix}`, {
      cause,
      details: { location },
    });
  },
};

/** True for the errno codes of a full filesystem or quota. */
export function isNoSpace(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

/** The checkpoint of `epoch` among a group's records (newest first), or the newest; else NotFound. */
export function pickCheckpoint(
  location: string,
  group: string,
  records: readonly StoredCheckpoint[],
  epoch?: number,
): StoredCheckpoint {
  const found = epoch === undefined ? records[0] : records.find((record) => record.epoch === epoch);
  if (found !== undefined) return found;
  const have = records.map((record) => record.epoch).join(', ');
  throw epoch === undefined
    ? storeError.notFound(
        location,
        group,
        'stored checkpoint',
        'checkpoint the group first, or check the location',
      )
    : storeError.notFound(
        location,
        group,
        `checkpoint of epoch ${epoch}`,
        have === '' ? 'nothing is stored yet' : `stored epochs: ${have}`,
      );
}
