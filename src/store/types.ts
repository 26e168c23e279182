import type { Readable } from 'node:stream';
import type { StoreLocation } from './location.js';

/** One file, directory (packed recursively) or in-memory file of a member's archive. */
export type ArchiveEntry =
  { name: string; path: string } | { name: string; bytes: Buffer | string; mode?: number };

/**
 * What a member's archive is made from:
 * - `entries`: files and directories packed in order (bare runc: the image dir as `checkpoint/`,
 *   the bundle's config.json as `spec.dump`, a synthesized `config.dump`, cohort's manifest);
 * - `tar`: an uncompressed tar stream an engine writes (`podman container checkpoint --export
 *   FIFO --compress none`), passed through byte for byte, with `extra` entries appended.
 */
export type ArchiveSource =
  | { kind: 'entries'; entries: readonly ArchiveEntry[] }
  | { kind: 'tar'; stream: Readable; extra?: readonly ArchiveEntry[] };

/** Sizes and digests of an archive, computed while it was written. */
export interface ArchiveDigests {
  /** sha256 of the gzip stream as stored (the OCI blob digest), `sha256:<hex>`. */
  digest: string;
  /** Bytes stored (gzip). */
  size: number;
  /** sha256 of the uncompressed tar (the OCI diff_id). */
  diffId: string;
  /** Bytes of the uncompressed tar. */
  uncompressedSize: number;
}

/** A member's archive once it is in the store (not yet part of a stored checkpoint). */
export interface StoredMember extends ArchiveDigests {
  member: string;
  /** dir: the archive's absolute path; oci: `HOST/REPO/MEMBER@sha256:<manifest digest>`. */
  reference: string;
}

/** The group record: a group's checkpoint of one epoch, stored once every member is. */
export interface StoredCheckpoint {
  group: string;
  epoch: number;
  /** ISO 8601 time the checkpoint was committed to the store. */
  createdAt: string;
  /** The store's location text (`dir:/…` or `oci://…`). */
  location: string;
  /** Sorted by member name. */
  members: StoredMember[];
}

export interface PutMemberInput {
  group: string;
  epoch: number;
  member: string;
  source: ArchiveSource;
  /** Image annotations (oci): the engine's checkpoint keys, see checkpointAnnotations(). */
  annotations?: Record<string, string>;
}

/** Where fetchMember puts a member's archive: extracted into a new directory, or as a .tar.gz. */
export type FetchTarget = { dir: string } | { file: string };

/** The checkpoint store of one location; every method throws CohortError with a Store* code. */
export interface CheckpointStore {
  readonly location: StoreLocation;
  /** Streams, hashes and stores one member's archive; not visible as stored until putCheckpoint. */
  putMember(input: PutMemberInput): Promise<StoredMember>;
  /** The commit point: the group's checkpoint of `record.epoch` becomes stored, all or nothing. */
  putCheckpoint(record: StoredCheckpoint): Promise<void>;
  /** The group's stored checkpoints, newest first. */
  list(group: string): Promise<StoredCheckpoint[]>;
  /** The latest stored checkpoint, or the one of `epoch`. */
  get(group: string, epoch?: number): Promise<StoredCheckpoint>;
  /** Fetches a member's archive, verifying its digest while streaming; nothing is left on a failure. */
  fetchMember(record: StoredCheckpoint, member: string, into: FetchTarget): Promise<void>;
  /** Keeps the newest `keep` (>= 1) stored checkpoints; returns the epochs deleted. */
  prune(group: string, keep: number): Promise<number[]>;
}

export interface StoreOptions {
  /** The environment registry credentials are looked up in (REGISTRY_AUTH_FILE, XDG_RUNTIME_DIR, HOME). */
  env: Record<string, string | undefined>;
  /** false: no certificate check, and plain HTTP when the registry does not speak TLS (podman's --tls-verify=false). */
  tlsVerify?: boolean;
  /** A PEM CA file trusted besides the system's CAs. */
  caFile?: string;
  /** gzip level 1-9 (default 1: see README.md for the measurement). */
  gzipLevel?: number;
  /** Upload chunk size in bytes (oci, default 2 MiB); smaller archives go in one request. */
  chunkSize?: number;
  /** The OCI platform of the images (default: this node's). */
  platform?: { os: string; architecture: string };
}
