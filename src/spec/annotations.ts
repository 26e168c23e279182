import { CohortError, ErrorCode } from '../core/errors.js';

/** runc reads CRIU's config file path from this annotation at checkpoint and restore. */
export const CRIU_CONFIG_ANNOTATION = 'org.criu.config';

/** cohort's own annotation keys: one reverse-domain prefix. */
export const ANNOTATION = {
  group: 'io.cohort.group',
  member: 'io.cohort.member',
  size: 'io.cohort.group.size',
  members: 'io.cohort.group.members',
  coordinator: 'io.cohort.coordinator',
  /** The user's own org.criu.config, kept when cohort points the annotation at its merged file. */
  userCriuConfig: 'io.cohort.criu.user-config',
} as const;

/** What a container declares about the group it belongs to. */
export interface GroupDeclaration {
  group: string;
  member: string;
  size?: number;
  members?: string[];
  coordinator?: string;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

function invalid(key: string, got: string, fix: string): never {
  throw new CohortError(ErrorCode.Annotation, `annotation ${key}="${got}" is invalid; ${fix}`, {
    details: { key },
  });
}

/** How containerd's CRI plugin and CRI-O mark a pod's sandbox (pause) container. */
const SANDBOX_MARKERS: readonly [string, string][] = [
  ['io.kubernetes.cri.container-type', 'sandbox'],
  ['io.kubernetes.cri-o.ContainerType', 'sandbox'],
];

/** Reads the group declaration, or undefined for a container that asks for nothing. */
export function readGroupDeclaration(
  annotations: Record<string, string>,
  containerId: string,
): GroupDeclaration | undefined {
  // Pod annotations reach the pause container too; it holds no state worth a checkpoint.
  if (SANDBOX_MARKERS.some(([key, value]) => annotations[key] === value)) return undefined;
  const group = annotations[ANNOTATION.group];
  if (group === undefined) {
    for (const key of [ANNOTATION.member, ANNOTATION.size, ANNOTATION.members]) {
      if (annotations[key] !== undefined) {
        invalid(
          key,
          annotations[key] ?? '',
          `it needs ${ANNOTATION.group} too: set the group name`,
        );
      }
    }
    return undefined;
  }
  if (!NAME.test(group)) {
    invalid(ANNOTATION.group, group, 'use 1-63 letters, digits, ".", "_" or "-"');
  }
  const member = annotations[ANNOTATION.member] ?? containerId;
  if (!NAME.test(member)) {
    invalid(ANNOTATION.member, member, 'use 1-63 letters, digits, ".", "_" or "-"');
  }
  const declaration: GroupDeclaration = { group, member };
  const size = annotations[ANNOTATION.size];
  if (size !== undefined) {
    const parsed = Number(size);
    if (!Number.isInteger(parsed) || parsed < 1 || parsed > 100_000) {
      invalid(ANNOTATION.size, size, 'set a whole number of members from 1 to 100000');
    }
    declaration.size = parsed;
  }
  const members = annotations[ANNOTATION.members];
  if (members !== undefined) {
    const list = members.split(',').map((name) => name.trim());
    const bad = list.find((name) => !NAME.test(name));
    if (bad !== undefined) {
      invalid(
        ANNOTATION.members,
        members,
        `"${bad}" is not a member name: list names separated by commas`,
      );
    }
    if (new Set(list).size !== list.length) {
      invalid(ANNOTATION.members, members, 'name each member once');
    }
    if (!list.includes(member)) {
      invalid(
        ANNOTATION.members,
        members,
        `add this container's member name "${member}" to the list`,
      );
    }
    if (declaration.size !== undefined && declaration.size !== list.length) {
      invalid(
        ANNOTATION.size,
        size ?? '',
        `it must equal the ${list.length} names in ${ANNOTATION.members}`,
      );
    }
    declaration.members = list;
  }
  const coordinator = annotations[ANNOTATION.coordinator];
  if (coordinator !== undefined) {
    if (!/^(unix:\/\/\/\S+|[A-Za-z0-9.\-_[\]:]+:\d{1,5})$/.test(coordinator)) {
      invalid(ANNOTATION.coordinator, coordinator, 'write unix:///path or host:port');
    }
    declaration.coordinator = coordinator;
  }
  return declaration;
}
