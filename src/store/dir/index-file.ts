import { storeError } from '../store-errors.js';
import type { StoredCheckpoint } from '../types.js';

/** Reads a dir: store's index.json (format 1); a damaged one is an error naming the file. */
export function readIndexFile(text: string, path: string, location: string): StoredCheckpoint {
  let value: Partial<StoredCheckpoint> & { format?: number };
  try {
    value = JSON.parse(text) as typeof value;
  } catch (error) {
    throw storeError.io(
      location,
      `${path} is not JSON`,
      error,
      'the record is damaged: remove its epoch directory or restore it from a copy',
    );
  }
  const valid =
    value.format === 1 &&
    typeof value.group === 'string' &&
    Number.isSafeInteger(value.epoch) &&
    typeof value.createdAt === 'string' &&
    Array.isArray(value.members);
  if (!valid) {
    throw storeError.io(
      location,
      `${path} is not a group record this version reads (format 1)`,
      undefined,
      'remove its epoch directory or use the cohort version that wrote it',
    );
  }
  const record = value as StoredCheckpoint;
  return {
    group: record.group,
    epoch: record.epoch,
    createdAt: record.createdAt,
    location,
    members: record.members,
  };
}
