import { CohortError, ErrorCode } from '../../core/errors.js';
import { manifestSize } from '../manifest.js';
import type { GroupManifest } from '../types.js';
import type { JoinFields } from './inputs.js';

/** The members a round is fixed to: their names when known, else only how many. */
export interface MemberSet {
  names?: string[];
  expected: number;
}

const nameSets = new WeakMap<readonly string[], Set<string>>();

/** The names as a set, built once per list: a thousand joins each checking a thousand names. */
export function nameSet(names: readonly string[]): Set<string> {
  let set = nameSets.get(names);
  if (set === undefined) nameSets.set(names, (set = new Set(names)));
  return set;
}

/** A long member list, shortened for a message. */
export function listNames(names: readonly string[], max = 16): string {
  const shown = names.slice(0, max).join(', ');
  return names.length > max ? `${shown}, … (${names.length} in all)` : shown;
}

/** What a joiner declares, compared with the set: undefined when it agrees, else the problem. */
export function declarationMismatch(set: MemberSet, join: JoinFields): string | undefined {
  if (join.declaredSize !== undefined && join.declaredSize !== set.expected) {
    return `member ${join.member} declares ${join.declaredSize} members but the round has ${set.expected}`;
  }
  const declared = join.declaredMembers;
  if (declared === undefined) return undefined;
  if (declared.length !== set.expected) {
    return `member ${join.member} declares ${declared.length} members but the round has ${set.expected}`;
  }
  if (set.names !== undefined) {
    const names = nameSet(set.names);
    const stray = declared.find((name) => !names.has(name));
    if (stray !== undefined) {
      return `member ${join.member} declares member ${stray}, who is not in the round (${listNames(set.names)})`;
    }
  }
  return undefined;
}

/** The set a new round opens with: the manifest's, else the first joiner's declaration. */
export function memberSetForNewRound(
  manifest: GroupManifest | undefined,
  join: JoinFields,
): MemberSet | CohortError {
  let set: MemberSet;
  if (manifest !== undefined) {
    set = { expected: manifestSize(manifest) };
    if (manifest.members !== undefined) set.names = manifest.members;
    const problem = declarationMismatch(set, join);
    if (problem !== undefined) {
      return new CohortError(ErrorCode.Manifest, `${problem} (group ${join.group}'s manifest)`, {
        details: { group: join.group, member: join.member },
      });
    }
    if (set.names === undefined && join.declaredMembers !== undefined)
      set.names = join.declaredMembers;
  } else if (join.declaredMembers !== undefined) {
    set = { names: join.declaredMembers, expected: join.declaredMembers.length };
    const problem = declarationMismatch(set, join);
    if (problem !== undefined) return new CohortError(ErrorCode.BadMessage, problem);
  } else if (join.declaredSize !== undefined) {
    set = { expected: join.declaredSize };
  } else {
    return new CohortError(
      ErrorCode.UnknownGroup,
      `group ${join.group} has no manifest at the coordinator and member ${join.member} declares neither a size nor members; apply a manifest (cohortctl group apply) or declare the group's size`,
      { details: { group: join.group, member: join.member } },
    );
  }
  if (set.names !== undefined && !nameSet(set.names).has(join.member)) {
    return notMember(join.group, join.member, set.names);
  }
  return set;
}

export function notMember(group: string, member: string, names: readonly string[]): CohortError {
  return new CohortError(
    ErrorCode.NotMember,
    `member ${member} is not in group ${group} (members: ${listNames(names)}); fix the member name or the group's manifest`,
    { details: { group, member } },
  );
}
