import { CohortError, ErrorCode } from '../core/errors.js';

export const DEFAULT_PREFIX = '/cohort/';

/**
 * Where things live under one installation's prefix: the caller's records under `data/`, the
 * election under `election/`, so neither can collide with the other.
 */
export class Keyspace {
  readonly dataPrefix: string;
  readonly electionPrefix: string;

  constructor(readonly prefix: string) {
    this.dataPrefix = `${prefix}data/`;
    this.electionPrefix = `${prefix}election/`;
  }

  /** The etcd key of a caller's record key. */
  dataKey(key: string): Buffer {
    if (key.length === 0) {
      throw new CohortError(ErrorCode.Store, 'an etcd record key must not be empty', {
        details: { prefix: this.prefix },
      });
    }
    return Buffer.from(this.dataPrefix + key);
  }

  /** The caller's key of an etcd key under the data prefix. */
  recordKey(etcdKey: Buffer): string {
    return etcdKey.toString('utf8').slice(this.dataPrefix.length);
  }

  /** [start, end) of every record whose key begins with `prefix` ('' = all records). */
  dataRange(prefix: string): { key: Buffer; rangeEnd: Buffer } {
    const key = Buffer.from(this.dataPrefix + prefix);
    return { key, rangeEnd: prefixEnd(key) };
  }

  electionRange(): { key: Buffer; rangeEnd: Buffer } {
    const key = Buffer.from(this.electionPrefix);
    return { key, rangeEnd: prefixEnd(key) };
  }

  /** A contender's key: etcd's recipe names it by the lease ID in hex. */
  electionKey(leaseId: string): string {
    return this.electionPrefix + BigInt(leaseId).toString(16);
  }
}

/** The first key after every key that starts with `key` (etcd's GetPrefixRangeEnd). */
export function prefixEnd(key: Buffer): Buffer {
  const end = Buffer.from(key);
  for (let i = end.length - 1; i >= 0; i -= 1) {
    if ((end[i] ?? 0xff) < 0xff) {
      end[i] = (end[i] ?? 0) + 1;
      return end.subarray(0, i + 1);
    }
  }
  // Every byte is 0xff (or the key is empty): the range runs to the end of the keyspace.
  return Buffer.from([0]);
}

/** A prefix ends with '/' and holds no NUL, so `/a` and `/ab` installations stay apart. */
export function normalizePrefix(prefix: string): string {
  if (prefix.length === 0 || prefix.includes('\0')) {
    throw new CohortError(
      ErrorCode.Config,
      `etcd.prefix '${prefix}' must be a non-empty key prefix such as '${DEFAULT_PREFIX}'`,
      { details: { key: 'etcd.prefix', value: prefix } },
    );
  }
  return prefix.endsWith('/') ? prefix : `${prefix}/`;
}
