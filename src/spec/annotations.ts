import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ADDRESS_LIST_EXAMPLE, parseAddressList } from '../core/address-list.js';
import { CohortError, ErrorCode } from '../core/errors.js';
import { isValidName, MAX_MEMBERS, NAME_PATTERN, NAME_RULE } from '../core/names.js';

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

/** A pod annotation naming one container's member exactly: `io.cohort.member.<container>`. */
export function memberKeyFor(container: string): string {
  return `${ANNOTATION.member}.${container}`;
}

/** What a container declares about the group it belongs to. */
export interface GroupDeclaration {
  group: string;
  member: string;
  size?: number;
  members?: string[];
  /** This container's coordinator: one address, or every replica's. */
  coordinator?: string[];
}

/** How containerd's CRI plugin and CRI-O mark a pod's sandbox (pause) container. */
const SANDBOX_MARKERS: readonly [string, string][] = [
  ['io.kubernetes.cri.container-type', 'sandbox'],
  ['io.kubernetes.cri-o.ContainerType', 'sandbox'],
];
/** The pod's and the container's names under CRI: containerd's keys, then CRI-O's. */
const CRI_CONTAINER = ['io.kubernetes.cri.container-name', 'io.kubernetes.container.name'];
const CRI_POD = ['io.kubernetes.cri.sandbox-name', 'io.kubernetes.pod.name'];

/** Names separated by commas (Kubernetes YAML) or colons (podman, which splits values on commas). */
const LIST_SEPARATOR = /[,:]/;

const name = (fix: string) =>
  z.string().refine(isValidName, { error: (issue) => `"${String(issue.input)}" ${fix}` });

const declarationSchema = z.object({
  [ANNOTATION.group]: name(`is not a group name; use ${NAME_RULE}`),
  [ANNOTATION.member]: name(`is not a member name; use ${NAME_RULE}`).optional(),
  [ANNOTATION.size]: z
    .string()
    .refine((text) => /^\d+$/.test(text) && Number(text) >= 1 && Number(text) <= MAX_MEMBERS, {
      error: (issue) =>
        `"${String(issue.input)}" is not a size; set a whole number of members from 1 to ${MAX_MEMBERS}`,
    })
    .transform(Number)
    .optional(),
  [ANNOTATION.members]: z
    .string()
    .transform((text) => text.split(LIST_SEPARATOR).map((entry) => entry.trim()))
    .superRefine((list, context) => {
      const bad = list.find((entry) => !isValidName(entry));
      if (bad !== undefined) {
        context.addIssue({
          code: 'custom',
          message: `"${bad}" is not a member name: list names separated by ":" (podman) or "," (Kubernetes), e.g. db:api`,
        });
      } else if (new Set(list).size !== list.length) {
        context.addIssue({
          code: 'custom',
          message: 'names a member twice; name each member once',
        });
      } else if (list.length > MAX_MEMBERS) {
        context.addIssue({
          code: 'custom',
          message: `has ${list.length} names; at most ${MAX_MEMBERS}`,
        });
      }
    })
    .optional(),
  [ANNOTATION.coordinator]: z
    .string()
    .transform((text, context) => {
      try {
        return parseAddressList(text, { source: `"${text}"`, code: ErrorCode.Annotation });
      } catch {
        context.addIssue({
          code: 'custom',
          message: `"${text}" is not an address or a list of them; write unix:///path or host:port, several replicas joined by "+" (podman needs no quoting then), e.g. ${ADDRESS_LIST_EXAMPLE}`,
        });
        return z.NEVER;
      }
    })
    .optional(),
});

/** Reads the group declaration, or undefined for a container that asks for nothing. */
export function readGroupDeclaration(
  annotations: Record<string, string>,
  containerId: string,
): GroupDeclaration | undefined {
  // Pod annotations reach the pause container too; it holds no state worth a checkpoint.
  if (SANDBOX_MARKERS.some(([key, value]) => annotations[key] === value)) return undefined;
  if (annotations[ANNOTATION.group] === undefined) {
    const stray = [ANNOTATION.member, ANNOTATION.size, ANNOTATION.members].find(
      (key) => annotations[key] !== undefined,
    );
    if (stray !== undefined) {
      invalid(stray, annotations[stray], `it needs ${ANNOTATION.group} too: set the group name`);
    }
    return undefined;
  }
  const parsed = declarationSchema.safeParse(annotations);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = String(issue?.path[0] ?? ANNOTATION.group);
    throw new CohortError(
      ErrorCode.Annotation,
      `annotation ${key}: ${issue?.message ?? 'is invalid'}`,
      {
        details: { key },
      },
    );
  }
  const fields = parsed.data;
  const member = memberName(annotations, containerId, fields[ANNOTATION.member]);
  const declaration: GroupDeclaration = { group: fields[ANNOTATION.group], member };
  const size = fields[ANNOTATION.size];
  const members = fields[ANNOTATION.members];
  if (size !== undefined) declaration.size = size;
  if (members !== undefined) {
    if (!members.includes(member)) {
      invalid(
        ANNOTATION.members,
        annotations[ANNOTATION.members],
        `add this container's member name "${member}" to the list`,
      );
    }
    if (size !== undefined && size !== members.length) {
      invalid(
        ANNOTATION.size,
        String(size),
        `it must equal the ${members.length} names in ${ANNOTATION.members}`,
      );
    }
    declaration.members = members;
  }
  const coordinator = fields[ANNOTATION.coordinator];
  if (coordinator !== undefined) declaration.coordinator = coordinator;
  return declaration;
}

/**
 * This container's member name. Under CRI every container of a pod gets the pod's annotations,
 * so the name is `<io.cohort.member or pod>.<container>` unless `io.cohort.member.<container>`
 * names it; elsewhere it is io.cohort.member, else the container id (podman's 64-hex id: its
 * 12-character short form, as `podman ps` shows it).
 */
export function memberName(
  annotations: Record<string, string>,
  containerId: string,
  explicit: string | undefined,
): string {
  const container = firstOf(annotations, CRI_CONTAINER);
  if (container === undefined) return explicit ?? fitName(containerId);
  const exact = annotations[memberKeyFor(container)];
  if (exact !== undefined) {
    if (!isValidName(exact)) invalid(memberKeyFor(container), exact, `use ${NAME_RULE}`);
    return exact;
  }
  const pod = explicit ?? firstOf(annotations, CRI_POD) ?? containerId;
  return fitName(`${pod}.${container}`);
}

/** Any text as a valid name: kept when it already is one, else shortened recognisably. */
export function fitName(text: string): string {
  if (NAME_PATTERN.test(text)) return text;
  if (/^[0-9a-f]{64}$/.test(text)) return text.slice(0, 12);
  const cleaned = text.replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  if (NAME_PATTERN.test(cleaned)) return cleaned;
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 8);
  return `${cleaned.slice(0, 54) || 'c'}-${hash}`;
}

function firstOf(annotations: Record<string, string>, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const value = annotations[key];
    if (value !== undefined && value !== '') return value;
  }
  return undefined;
}

function invalid(key: string, value: string | undefined, fix: string): never {
  throw new CohortError(
    ErrorCode.Annotation,
    `annotation ${key}="${value ?? ''}" is invalid; ${fix}`,
    {
      details: { key },
    },
  );
}
