import { CohortError, ErrorCode } from '../core/errors.js';
import { isValidName } from '../core/names.js';
import type { StoredCheckpoint, StoredMember } from './types.js';

const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** Throws (Argv) unless `group`, `member` and `epoch` are names and a whole epoch cohort accepts. */
export function checkIdentity(fields: { group: string; epoch?: number; member?: string }): void {
  const bad = (what: string, value: unknown, fix: string): never => {
    throw new CohortError(ErrorCode.Argv, `${what} ${JSON.stringify(value)} is invalid; ${fix}`, {
      details: { field: what },
    });
  };
  const nameFix = "use 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit";
  if (!isValidName(fields.group)) bad('group', fields.group, nameFix);
  if (fields.member !== undefined && !isValidName(fields.member))
    bad('member', fields.member, nameFix);
  if (fields.epoch !== undefined && !(Number.isSafeInteger(fields.epoch) && fields.epoch >= 0)) {
    bad('epoch', fields.epoch, 'give a whole number >= 0');
  }
}

/** Checks a record before it is committed: names, digests, sizes, members unique and sorted. */
export function normalizeRecord(record: StoredCheckpoint): StoredCheckpoint {
  checkIdentity({ group: record.group, epoch: record.epoch });
  if (record.members.length === 0) {
    throw new CohortError(
      ErrorCode.Argv,
      `group ${record.group} epoch ${record.epoch}: a checkpoint needs at least one member`,
    );
  }
  const seen = new Set<string>();
  for (const member of record.members) {
    checkIdentity({ group: record.group, member: member.member });
    if (seen.has(member.member)) {
      throw new CohortError(
        ErrorCode.Argv,
        `group ${record.group} epoch ${record.epoch}: member ${member.member} is listed twice`,
      );
    }
    seen.add(member.member);
    const sizesOk = [member.size, member.uncompressedSize].every(
      (n) => Number.isSafeInteger(n) && n >= 0,
    );
    if (!DIGEST.test(member.digest) || !DIGEST.test(member.diffId) || !sizesOk) {
      throw new CohortError(
        ErrorCode.Argv,
        `group ${record.group} epoch ${record.epoch}: member ${member.member} has no valid digest and size; pass what putMember returned`,
      );
    }
  }
  const members = [...record.members].sort((a, b) =>
    a.member < b.member ? -1 : a.member > b.member ? 1 : 0,
  );
  return { ...record, members };
}

/** The epochs retention deletes: all but the newest `keep` (the latest is always kept). */
export function chooseEpochsToDelete(epochs: readonly number[], keep: number): number[] {
  if (!Number.isSafeInteger(keep) || keep < 1) {
    throw new CohortError(
      ErrorCode.Argv,
      `keep ${keep} is invalid; keep at least 1 stored checkpoint (the latest is never deleted)`,
    );
  }
  return [...new Set(epochs)].sort((a, b) => b - a).slice(keep);
}

/** True when two records name the same archives for the same members (a repeated commit). */
export function sameMembers(a: readonly StoredMember[], b: readonly StoredMember[]): boolean {
  const key = (members: readonly StoredMember[]): string =>
    members
      .map((m) => `${m.member} ${m.digest} ${m.size} ${m.reference}`)
      .sort()
      .join('\n');
  return key(a) === key(b);
}
