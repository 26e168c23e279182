import { createHash } from 'node:crypto';

/**
 * Where each kind of record lives under the installation's etcd prefix: keyed by what it is
 * about, so a record replaces the one it supersedes and the keyspace holds current state, not a
 * log. Names (groups) hold no '/', so no key can stand for another.
 */
export const KEY = {
  group: (name: string) => `groups/${name}`,
  policy: (group: string) => `policies/${group}`,
  /** One key per record of a round: opened, decided, closed (each written once), stored (latest). */
  round: (group: string, epoch: number, part: RoundPart) =>
    `rounds/${group}/${pad(epoch, 12)}/${part}`,
  stored: (group: string, epoch: number, location: string) =>
    `stored/${group}/${pad(epoch, 12)}/${locationId(location)}`,
  recovery: (group: string, startedAt: number) => `recoveries/${group}/${pad(startedAt, 15)}`,
} as const;

export type RoundPart = 'opened' | 'decided' | 'closed' | 'stored';

export const KIND_PREFIXES = ['groups/', 'policies/', 'rounds/', 'stored/', 'recoveries/'] as const;

/** Fixed width, so key order is number order. */
function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/** A store location (a URL or a path, '/' included) as one key segment. */
function locationId(location: string): string {
  return createHash('sha256').update(location).digest('hex').slice(0, 20);
}
