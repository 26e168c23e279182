import type { GroupManifest } from '../coordinator/types.js';
import { CohortError, ErrorCode } from '../core/errors.js';
import type { GroupDeclaration } from '../spec/annotations.js';

/** A member found on the engine (a container, or an exported archive). */
export interface FoundMember {
  member: string;
  /** What the operator knows it by: the container's name, or the archive's path. */
  label: string;
  declaration: GroupDeclaration;
}

/**
 * Refuses to start a group operation unless every member the group declares is there exactly
 * once: a missing member would only make the coordinator wait out its deadline and abort.
 */
export function checkMembership(
  group: string,
  found: readonly FoundMember[],
  manifest?: GroupManifest,
): void {
  const byName = new Map<string, FoundMember>();
  for (const entry of found) {
    const other = byName.get(entry.member);
    if (other !== undefined) {
      throw new CohortError(
        ErrorCode.Annotation,
        `group ${group}: ${other.label} and ${entry.label} both claim member name "${entry.member}"; give each its own io.cohort.member`,
      );
    }
    byName.set(entry.member, entry);
  }
  const declared = new Map<string, string>();
  for (const name of manifest?.members ?? []) declared.set(name, 'the group manifest');
  for (const entry of found) {
    for (const name of entry.declaration.members ?? []) {
      if (!declared.has(name)) declared.set(name, `io.cohort.group.members on ${entry.label}`);
    }
  }
  for (const [name, source] of declared) {
    if (!byName.has(name)) {
      throw new CohortError(
        ErrorCode.NotFound,
        `group ${group}: member "${name}" (listed in ${source}) has no container; create it, or fix the member list`,
        { details: { group, member: name } },
      );
    }
  }
  const sizes = found.map((entry) => entry.declaration.size ?? 0);
  const size = Math.max(manifest?.size ?? 0, manifest?.members?.length ?? 0, ...sizes);
  if (found.length < size) {
    throw new CohortError(
      ErrorCode.NotFound,
      `group ${group} has ${size} members but only ${found.length} containers were found (${[...byName.keys()].join(', ')}); create the missing ones`,
      { details: { group } },
    );
  }
}
