import { CohortError } from '../../core/errors.js';
import { makeArchiveStream } from '../archive/archive-stream.js';
import { fetchInto } from '../fetch-into.js';
import type { StoreLocation } from '../location.js';
import { checkIdentity, chooseEpochsToDelete, normalizeRecord } from '../record.js';
import { pickCheckpoint, storeError } from '../store-errors.js';
import type {
  CheckpointStore,
  FetchTarget,
  PutMemberInput,
  StoredCheckpoint,
  StoredMember,
} from '../types.js';
import { pushStream } from './blob-upload.js';
import { getBlob, pushBytes } from './blobs.js';
import { commitCheckpoint } from './commit.js';
import {
  makeImageConfig,
  makeMemberManifest,
  readGroupIndex,
  STORE_ANNOTATION,
} from './documents.js';
import { deleteManifest, getManifest, listTags, putManifest } from './manifests.js';
import {
  epochOfTag,
  epochTag,
  LATEST_TAG,
  memberRepository,
  parseDigestReference,
} from './names.js';
import type { RegistryClient } from './registry-client.js';

type OciLocation = Extract<StoreLocation, { kind: 'oci' }>;

export interface OciStoreOptions {
  gzipLevel: number;
  chunkSize: number;
  platform: { os: string; architecture: string };
}

/**
 * An `oci://` store: member images at REPO/MEMBER (pushed by digest, tagged epoch-N and latest
 * at commit) and one group index per epoch at REPO:epoch-N (and latest), the commit point.
 */
export class OciStore implements CheckpointStore {
  private readonly text: string;

  constructor(
    readonly location: OciLocation,
    private readonly client: RegistryClient,
    private readonly options: OciStoreOptions,
  ) {
    this.text = location.text;
  }

  async putMember(input: PutMemberInput): Promise<StoredMember> {
    checkIdentity(input);
    return this.wrap(async () => {
      await this.checkGroup(input.group);
      const repository = memberRepository(this.location.repository, input.member);
      const archive = makeArchiveStream(input.source, this.options.gzipLevel);
      try {
        await pushStream(
          this.client,
          repository,
          archive.stream,
          this.options.chunkSize,
          () => archive.digests().digest,
        );
      } finally {
        archive.stream.destroy();
      }
      const digests = archive.digests();
      const created = new Date().toISOString();
      const config = makeImageConfig(digests, this.options.platform, created);
      await pushBytes(this.client, repository, config.bytes, config.digest);
      const manifest = makeMemberManifest(config, digests, {
        ...input.annotations,
        [STORE_ANNOTATION.group]: input.group,
        [STORE_ANNOTATION.member]: input.member,
        [STORE_ANNOTATION.epoch]: String(input.epoch),
        [STORE_ANNOTATION.created]: created,
      });
      // By digest only: no tag moves until the group's checkpoint is committed.
      await putManifest(this.client, repository, manifest.digest, manifest);
      return {
        member: input.member,
        reference: `${this.location.host}/${repository}@${manifest.digest}`,
        ...digests,
      };
    });
  }

  async putCheckpoint(input: StoredCheckpoint): Promise<void> {
    const record = { ...normalizeRecord(input), location: this.text };
    await this.wrap(async () => {
      await this.checkGroup(record.group);
      await commitCheckpoint(this.client, this.location, record);
    });
  }

  async list(group: string): Promise<StoredCheckpoint[]> {
    checkIdentity({ group });
    return this.wrap(async () => {
      const epochs = (await listTags(this.client, this.location.repository))
        .map(epochOfTag)
        .filter((epoch): epoch is number => epoch !== undefined)
        .sort((a, b) => b - a);
      const records: StoredCheckpoint[] = [];
      for (const epoch of epochs) {
        const record = await this.readIndex(epochTag(epoch));
        if (record === undefined) continue;
        if (record.group !== group) throw storeError.wrongGroup(this.text, group, record.group);
        records.push(record);
      }
      return records;
    });
  }

  async get(group: string, epoch?: number): Promise<StoredCheckpoint> {
    const records = await this.list(group);
    return pickCheckpoint(this.text, group, records, epoch);
  }

  async fetchMember(record: StoredCheckpoint, member: string, into: FetchTarget): Promise<void> {
    const stored = record.members.find((m) => m.member === member);
    const ref =
      stored === undefined ? undefined : parseDigestReference(stored.reference, this.location.host);
    if (stored === undefined || ref === undefined) {
      throw storeError.notFound(
        this.text,
        record.group,
        `member ${member} in epoch ${record.epoch}`,
        `members: ${record.members.map((m) => m.member).join(', ')}`,
      );
    }
    await this.wrap(async () => {
      const input = await getBlob(this.client, ref.repository, stored.digest);
      if (input === undefined) {
        throw storeError.notFound(
          this.text,
          record.group,
          `archive of member ${member} for epoch ${record.epoch} (${stored.digest})`,
          'the registry lost it: fetch another epoch',
        );
      }
      await fetchInto(input, stored, into, this.text);
    });
  }

  async prune(group: string, keep: number): Promise<number[]> {
    const records = await this.list(group);
    const doomed = chooseEpochsToDelete(
      records.map((r) => r.epoch),
      keep,
    );
    const kept = new Set(
      records
        .filter((r) => !doomed.includes(r.epoch))
        .flatMap((r) => r.members.map((m) => m.reference)),
    );
    return this.wrap(async () => {
      for (const record of records.filter((r) => doomed.includes(r.epoch))) {
        const index = await getManifest(
          this.client,
          this.location.repository,
          epochTag(record.epoch),
        );
        // The index first: once it is gone the epoch is no longer listed.
        if (index !== undefined)
          await deleteManifest(this.client, this.location.repository, index.digest);
        for (const member of record.members) {
          const ref = parseDigestReference(member.reference, this.location.host);
          if (ref === undefined || kept.has(member.reference)) continue;
          await deleteManifest(this.client, ref.repository, ref.digest);
          await deleteManifest(this.client, this.location.repository, ref.digest);
        }
      }
      return doomed;
    });
  }

  private async readIndex(tag: string): Promise<StoredCheckpoint | undefined> {
    const index = await getManifest(this.client, this.location.repository, tag);
    return index === undefined ? undefined : readGroupIndex(index.bytes, this.location);
  }

  /** Refuses a repository whose latest index belongs to another group. */
  private async checkGroup(group: string): Promise<void> {
    const latest = await this.readIndex(LATEST_TAG);
    if (latest !== undefined && latest.group !== group)
      throw storeError.wrongGroup(this.text, group, latest.group);
  }

  private async wrap<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof CohortError) throw error;
      throw storeError.io(this.text, (error as Error).message, error);
    }
  }
}
