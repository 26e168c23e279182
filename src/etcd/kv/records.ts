import type { JsonValue } from '../json-value.js';

/** One stored record: the caller's key and JSON value, with etcd's revisions. */
export interface EtcdRecord {
  key: string;
  value: JsonValue;
  createRevision: number;
  modRevision: number;
  /** Writes since the key was created; 1 after the first put. */
  version: number;
}

/** What a write may hold; all of one write land together or not at all. */
export type WriteOp =
  | { type: 'put'; key: string; value: JsonValue }
  | { type: 'delete'; key: string }
  /** Every record whose key starts with `prefix`. */
  | { type: 'delete-prefix'; prefix: string };

/**
 * A write lands only while this record key was last written at `modRevision` (0: the key must
 * be absent): a compare-and-swap on the caller's own records.
 */
export interface Condition {
  key: string;
  modRevision: number;
}

/** A write lands only while `key` exists with exactly this create revision: the leader's key. */
export interface Fence {
  key: string;
  createRevision: number;
}

export interface WriteResult {
  /** The etcd revision the write created. */
  revision: number;
}

export interface LoadResult {
  /** In key order. */
  records: EtcdRecord[];
  /** The revision every record was read at. */
  revision: number;
}

export interface ReadOptions {
  /** Read as of this revision (it must not be compacted); the newest when absent. */
  revision?: number;
}

export interface LoadOptions extends ReadOptions {
  /** Records per request; every page is read at the first page's revision. */
  pageSize?: number;
}
