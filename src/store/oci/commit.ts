import type { StoreLocation } from '../location.js';
import { sameMembers } from '../record.js';
import { storeError } from '../store-errors.js';
import type { StoredCheckpoint } from '../types.js';
import { blobExists, mountBlob } from './blobs.js';
import { makeGroupIndex, MEDIA, readGroupIndex, type Document } from './documents.js';
import { getManifest, putManifest } from './manifests.js';
import { epochTag, LATEST_TAG, parseDigestReference } from './names.js';
import type { RegistryClient } from './registry-client.js';

interface ManifestShape {
  config?: { digest?: string };
  layers?: { digest?: string; size?: number }[];
}

/**
 * The commit of a group's checkpoint: every member image is checked (its layer is the archive
 * the record names) and copied into REPO by digest, then the group index is PUT as REPO:epoch-N.
 * Only then do the `latest` tags move. A failure before the index PUT leaves the previous
 * stored checkpoint as the latest.
 */
export async function commitCheckpoint(
  client: RegistryClient,
  location: Extract<StoreLocation, { kind: 'oci' }>,
  record: StoredCheckpoint,
): Promise<void> {
  const repository = location.repository;
  const tag = epochTag(record.epoch);
  const existing = await getManifest(client, repository, tag);
  if (existing !== undefined) {
    const stored = readGroupIndex(existing.bytes, location);
    if (stored !== undefined && sameMembers(stored.members, record.members)) return;
    throw storeError.io(
      location.text,
      `group ${record.group} epoch ${record.epoch} is already stored with other archives`,
      undefined,
      'a stored checkpoint is never rewritten: use a new epoch',
    );
  }
  const manifests = new Map<string, Document & { repository: string }>();
  for (const member of record.members) {
    const ref = parseDigestReference(member.reference, location.host);
    const manifest =
      ref === undefined ? undefined : await getManifest(client, ref.repository, ref.digest);
    const shape =
      manifest === undefined
        ? undefined
        : (JSON.parse(manifest.bytes.toString('utf8')) as ManifestShape);
    const layer = shape?.layers?.[0];
    if (
      ref === undefined ||
      manifest === undefined ||
      manifest.digest !== ref.digest ||
      layer?.digest !== member.digest ||
      layer.size !== member.size
    ) {
      throw storeError.notFound(
        location.text,
        record.group,
        `image of member ${member.member} for epoch ${record.epoch} (${member.reference})`,
        'putMember every member of this epoch before putCheckpoint',
      );
    }
    // The index must only name manifests its own repository has (distribution checks).
    for (const digest of [shape?.config?.digest ?? '', member.digest]) {
      if (await blobExists(client, repository, digest)) continue;
      if (!(await mountBlob(client, repository, digest, ref.repository))) {
        throw storeError.io(
          location.text,
          `the registry would not mount ${digest} from ${ref.repository} into ${repository}`,
          undefined,
          'use a registry that supports cross-repository mounts (distribution does)',
        );
      }
    }
    await putManifest(client, repository, manifest.digest, manifest);
    manifests.set(member.member, {
      ...manifest,
      mediaType: MEDIA.manifest,
      repository: ref.repository,
    });
  }
  const index = makeGroupIndex(
    record,
    new Map([...manifests].map(([name, m]) => [name, { digest: m.digest, size: m.bytes.length }])),
  );
  await putManifest(client, repository, tag, index); // The commit point.
  for (const manifest of manifests.values())
    await putManifest(client, manifest.repository, tag, manifest);
  const latest = await getManifest(client, repository, LATEST_TAG);
  const latestEpoch =
    latest === undefined ? undefined : readGroupIndex(latest.bytes, location)?.epoch;
  // A late commit of an older epoch leaves `latest` where it is.
  if (latestEpoch !== undefined && latestEpoch > record.epoch) return;
  await putManifest(client, repository, LATEST_TAG, index);
  for (const manifest of manifests.values())
    await putManifest(client, manifest.repository, LATEST_TAG, manifest);
}
