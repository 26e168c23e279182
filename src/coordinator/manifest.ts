import { CohortError, ErrorCode } from '../core/errors.js';
import { DEADLINE_KEYS, MAX_DEADLINE_MS } from './deadlines.js';
import { checkName } from './names.js';
import type { Deadlines, GroupManifest } from './types.js';

/** Enough for any real group, small enough that one join stays far below the message limit. */
export const MAX_MEMBERS = 4096;

function manifestError(field: string, problem: string): CohortError {
  return new CohortError(ErrorCode.Manifest, `manifest ${field}: ${problem}`, {
    details: { field },
  });
}

/** Checks a group manifest field by field; the error names the field and the fix. */
export function validateManifest(manifest: GroupManifest): GroupManifest {
  const name = checkName(manifest.name, 'manifest.name');
  const members = manifest.members ?? [];
  const size = manifest.size;
  if (members.length === 0 && (size === undefined || size === 0)) {
    throw manifestError(
      'members',
      `group ${name} has zero members; list its members or give a size >= 1`,
    );
  }
  if (members.length > MAX_MEMBERS) {
    throw manifestError('members', `has ${members.length} entries; at most ${MAX_MEMBERS}`);
  }
  const seen = new Set<string>();
  members.forEach((member, index) => {
    checkName(member, `manifest.members[${index}]`);
    if (seen.has(member)) throw manifestError(`members[${index}]`, `"${member}" is listed twice`);
    seen.add(member);
  });
  if (size !== undefined && size !== 0) {
    if (!Number.isInteger(size) || size < 1 || size > MAX_MEMBERS) {
      throw manifestError('size', `${size} is not a whole number from 1 to ${MAX_MEMBERS}`);
    }
    if (members.length > 0 && size !== members.length) {
      throw manifestError('size', `is ${size} but ${members.length} members are listed; drop one`);
    }
  }
  const result: GroupManifest = { name };
  if (members.length > 0) result.members = [...members];
  else result.size = size;
  const deadlines = validateDeadlineOverrides(manifest.deadlines);
  if (deadlines !== undefined) result.deadlines = deadlines;
  return result;
}

function validateDeadlineOverrides(
  deadlines: Partial<Deadlines> | undefined,
): Partial<Deadlines> | undefined {
  if (deadlines === undefined) return undefined;
  const result: Partial<Deadlines> = {};
  for (const [key, value] of Object.entries(deadlines)) {
    if (value === undefined) continue;
    if (!(DEADLINE_KEYS as string[]).includes(key)) {
      throw manifestError(
        `deadlines.${key}`,
        `is not a deadline (known: ${DEADLINE_KEYS.join(', ')})`,
      );
    }
    if (!Number.isInteger(value) || value < 1 || value > MAX_DEADLINE_MS) {
      // The dotted path, as checkName gives for members: the wire and the CLI name it alike.
      const field = `manifest.deadlines.${key}`;
      throw new CohortError(
        ErrorCode.Manifest,
        `${field}: ${value} is not a whole number of ms from 1 to ${MAX_DEADLINE_MS}`,
        { details: { field } },
      );
    }
    result[key as keyof Deadlines] = value;
  }
  return Object.keys(result).length === 0 ? undefined : result;
}

/** The member count a manifest fixes. */
export function manifestSize(manifest: GroupManifest): number {
  return manifest.members?.length ?? manifest.size ?? 0;
}
