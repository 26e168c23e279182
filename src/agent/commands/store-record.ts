import { CohortError, ErrorCode } from '../../core/errors.js';
import type { StoredCheckpoint as WireCheckpoint } from '../../gen/cohort/v1/records.js';
import type { StoredCheckpoint } from '../../store/index.js';

/** A checkpoint as the store keeps it: without what cohortd adds about how each member ran. */
export function storeRecord(checkpoint: WireCheckpoint | undefined): StoredCheckpoint {
  if (checkpoint === undefined) throw new CohortError(ErrorCode.BadMessage, 'no checkpoint given');
  const { group, epoch, location, createdAt } = checkpoint;
  const members = checkpoint.members.map(
    ({ member, digest, size, diffId, uncompressedSize, reference }) => ({
      member,
      digest,
      size,
      diffId,
      uncompressedSize,
      reference,
    }),
  );
  return { group, epoch, location, createdAt, members };
}
