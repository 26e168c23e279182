import { createHash } from 'node:crypto';
import { ANNOTATION } from '../../spec/annotations.js';
import type { ArchiveDigests, StoredCheckpoint, StoredMember } from '../types.js';
import { memberRepository } from './names.js';

export const MEDIA = {
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  index: 'application/vnd.oci.image.index.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
} as const;

/** cohort's keys on member images and the group index (the group keys of spec/annotations.ts). */
export const STORE_ANNOTATION = {
  group: ANNOTATION.group,
  member: ANNOTATION.member,
  members: ANNOTATION.members,
  epoch: 'io.cohort.epoch',
  archiveDigest: 'io.cohort.archive.digest',
  archiveSize: 'io.cohort.archive.size',
  archiveDiffId: 'io.cohort.archive.diff-id',
  archiveUncompressedSize: 'io.cohort.archive.uncompressed-size',
  created: 'org.opencontainers.image.created',
} as const;

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

/** A JSON document as the bytes that are hashed and pushed. */
export interface Document {
  bytes: Buffer;
  digest: string;
  mediaType: string;
}

export function makeDocument(value: unknown, mediaType: string): Document {
  const bytes = Buffer.from(JSON.stringify(value));
  return { bytes, mediaType, digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}` };
}

/** The image config: the archive is the one layer; no command (the image is only restored). */
export function makeImageConfig(
  archive: ArchiveDigests,
  platform: { os: string; architecture: string },
  created: string,
): Document {
  return makeDocument(
    {
      created,
      architecture: platform.architecture,
      os: platform.os,
      config: {},
      rootfs: { type: 'layers', diff_ids: [archive.diffId] },
      history: [{ created, created_by: 'cohort checkpoint archive' }],
    },
    MEDIA.config,
  );
}

/** A member's checkpoint image: one gzip layer (the archive) and the engines' annotations. */
export function makeMemberManifest(
  config: Document,
  archive: ArchiveDigests,
  annotations: Record<string, string>,
): Document {
  return makeDocument(
    {
      schemaVersion: 2,
      mediaType: MEDIA.manifest,
      config: { mediaType: MEDIA.config, digest: config.digest, size: config.bytes.length },
      layers: [{ mediaType: MEDIA.layerGzip, digest: archive.digest, size: archive.size }],
      annotations,
    },
    MEDIA.manifest,
  );
}

/** The group index of one epoch: every member's image, each described well enough to list without fetching it. */
export function makeGroupIndex(
  record: StoredCheckpoint,
  manifests: ReadonlyMap<string, { digest: string; size: number }>,
): Document {
  const descriptors: Descriptor[] = record.members.map((member) => {
    const manifest = manifests.get(member.member);
    if (manifest === undefined) throw new Error(`no manifest for member ${member.member}`);
    return {
      mediaType: MEDIA.manifest,
      digest: manifest.digest,
      size: manifest.size,
      annotations: {
        [STORE_ANNOTATION.member]: member.member,
        [STORE_ANNOTATION.archiveDigest]: member.digest,
        [STORE_ANNOTATION.archiveSize]: String(member.size),
        [STORE_ANNOTATION.archiveDiffId]: member.diffId,
        [STORE_ANNOTATION.archiveUncompressedSize]: String(member.uncompressedSize),
      },
    };
  });
  return makeDocument(
    {
      schemaVersion: 2,
      mediaType: MEDIA.index,
      manifests: descriptors,
      annotations: {
        [STORE_ANNOTATION.group]: record.group,
        [STORE_ANNOTATION.epoch]: String(record.epoch),
        [STORE_ANNOTATION.members]: record.members.map((m) => m.member).join(','),
        [STORE_ANNOTATION.created]: record.createdAt,
      },
    },
    MEDIA.index,
  );
}

interface IndexShape {
  mediaType?: string;
  manifests?: Descriptor[];
  annotations?: Record<string, string>;
}

/** The group record a group index holds, or undefined when the document is not one cohort wrote. */
export function readGroupIndex(
  bytes: Buffer,
  store: { host: string; repository: string; text: string },
): StoredCheckpoint | undefined {
  let index: IndexShape;
  try {
    index = JSON.parse(bytes.toString('utf8')) as IndexShape;
  } catch {
    return undefined;
  }
  const notes = index.annotations ?? {};
  const group = notes[STORE_ANNOTATION.group];
  const epoch = Number(notes[STORE_ANNOTATION.epoch]);
  if (group === undefined || !Number.isSafeInteger(epoch) || !Array.isArray(index.manifests))
    return undefined;
  const members: StoredMember[] = [];
  for (const descriptor of index.manifests) {
    const a = descriptor.annotations ?? {};
    const member = a[STORE_ANNOTATION.member];
    if (member === undefined) return undefined;
    members.push({
      member,
      digest: a[STORE_ANNOTATION.archiveDigest] ?? '',
      size: Number(a[STORE_ANNOTATION.archiveSize]),
      diffId: a[STORE_ANNOTATION.archiveDiffId] ?? '',
      uncompressedSize: Number(a[STORE_ANNOTATION.archiveUncompressedSize]),
      reference: `${store.host}/${memberRepository(store.repository, member)}@${descriptor.digest}`,
    });
  }
  return {
    group,
    epoch,
    createdAt: notes[STORE_ANNOTATION.created] ?? '',
    location: store.text,
    members,
  };
}
