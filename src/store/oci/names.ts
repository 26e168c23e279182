/** One path component of an OCI repository name. */
const COMPONENT = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;

/**
 * The repository component of a member: its name when that is a valid lowercase component,
 * else `x-` and the name's UTF-8 bytes in hex (member names may have capitals, `..`, a trailing `-`).
 */
export function memberComponent(member: string): string {
  return COMPONENT.test(member) ? member : `x-${Buffer.from(member, 'utf8').toString('hex')}`;
}

/** REPO/MEMBER: where a member's images are. */
export function memberRepository(repository: string, member: string): string {
  return `${repository}/${memberComponent(member)}`;
}

/** The tag of a group's (and each member's) checkpoint of one epoch. */
export function epochTag(epoch: number): string {
  return `epoch-${epoch}`;
}

export const LATEST_TAG = 'latest';

/** The epoch of an `epoch-N` tag, or undefined for any other tag. */
export function epochOfTag(tag: string): number | undefined {
  const match = /^epoch-(0|[1-9]\d{0,15})$/.exec(tag);
  return match === null ? undefined : Number(match[1]);
}

/** `HOST/REPO@sha256:…` split into its repository and digest (undefined when it is not one). */
export function parseDigestReference(
  reference: string,
  host: string,
): { repository: string; digest: string } | undefined {
  const match = /^([^@]+)@(sha256:[0-9a-f]{64})$/.exec(reference);
  if (match === null || !match[1]?.startsWith(`${host}/`)) return undefined;
  return { repository: match[1].slice(host.length + 1), digest: match[2] ?? '' };
}
