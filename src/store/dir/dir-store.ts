import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, readlink, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { CohortError } from '../../core/errors.js';
import { makeArchiveStream } from '../archive/archive-stream.js';
import { fetchInto } from '../fetch-into.js';
import type { StoreLocation } from '../location.js';
import { checkIdentity, chooseEpochsToDelete, normalizeRecord, sameMembers } from '../record.js';
import { isNoSpace, pickCheckpoint, storeError } from '../store-errors.js';
import type {
  CheckpointStore,
  FetchTarget,
  PutMemberInput,
  StoredCheckpoint,
  StoredMember,
} from '../types.js';
import { replaceSymlink, syncPath, writeFileAtomic } from './durable.js';
import { archivePath, epochDir, epochOfDir, indexPath, LATEST_LINK } from './layout.js';
import { readIndexFile } from './index-file.js';

/** A `dir:` store: one group's checkpoints in a directory; `epoch-N/index.json`, written last, commits. */
export class DirStore implements CheckpointStore {
  private readonly root: string;
  private readonly text: string;

  constructor(
    readonly location: Extract<StoreLocation, { kind: 'dir' }>,
    private readonly gzipLevel: number,
  ) {
    this.root = location.path;
    this.text = location.text;
  }

  async putMember(input: PutMemberInput): Promise<StoredMember> {
    checkIdentity(input);
    await this.checkGroup(input.group);
    if (await this.readRecord(input.epoch)) {
      throw storeError.io(
        this.text,
        `group ${input.group} epoch ${input.epoch} is already stored`,
        undefined,
        'a stored checkpoint is never rewritten: use a new epoch',
      );
    }
    const final = archivePath(this.root, input.epoch, input.member);
    const temp = `${final}.partial-${process.pid}-${Date.now().toString(36)}`;
    const archive = makeArchiveStream(input.source, this.gzipLevel);
    try {
      await mkdir(epochDir(this.root, input.epoch), { recursive: true });
      await pipeline(archive.stream, createWriteStream(temp, { flags: 'wx', mode: 0o644 }));
      await syncPath(temp);
      await rename(temp, final);
    } catch (error) {
      archive.stream.destroy();
      await rm(temp, { force: true });
      throw this.writeError(error, temp);
    }
    return { member: input.member, reference: final, ...archive.digests() };
  }

  async putCheckpoint(input: StoredCheckpoint): Promise<void> {
    const record = { ...normalizeRecord(input), location: this.text };
    await this.checkGroup(record.group);
    for (const member of record.members) {
      const expected = archivePath(this.root, record.epoch, member.member);
      const size = await stat(expected).then(
        (s) => s.size,
        () => undefined,
      );
      if (member.reference !== expected || size !== member.size) {
        throw storeError.notFound(
          this.text,
          record.group,
          `archive of member ${member.member} for epoch ${record.epoch}`,
          'putMember every member of this epoch before putCheckpoint',
        );
      }
    }
    const existing = await this.readRecord(record.epoch);
    if (existing !== undefined) {
      if (sameMembers(existing.members, record.members)) return;
      throw storeError.io(
        this.text,
        `group ${record.group} epoch ${record.epoch} is already stored with other archives`,
        undefined,
        'a stored checkpoint is never rewritten: use a new epoch',
      );
    }
    try {
      await writeFileAtomic(
        indexPath(this.root, record.epoch),
        JSON.stringify({ format: 1, ...record }, null, 2) + '\n',
      );
      const latest = await readlink(join(this.root, LATEST_LINK)).then(epochOfDir, () => undefined);
      if (latest === undefined || latest <= record.epoch) {
        await replaceSymlink(`epoch-${record.epoch}`, join(this.root, LATEST_LINK));
      }
    } catch (error) {
      throw this.writeError(error, indexPath(this.root, record.epoch));
    }
  }

  async list(group: string): Promise<StoredCheckpoint[]> {
    checkIdentity({ group });
    const records = await this.readAll();
    const other = records.find((record) => record.group !== group);
    if (other !== undefined) throw storeError.wrongGroup(this.text, group, other.group);
    return records;
  }

  async get(group: string, epoch?: number): Promise<StoredCheckpoint> {
    const records = await this.list(group);
    return pickCheckpoint(this.text, group, records, epoch);
  }

  async fetchMember(record: StoredCheckpoint, member: string, into: FetchTarget): Promise<void> {
    const stored = record.members.find((m) => m.member === member);
    if (stored === undefined || stored.reference !== archivePath(this.root, record.epoch, member)) {
      throw storeError.notFound(
        this.text,
        record.group,
        `member ${member} in epoch ${record.epoch}`,
        `members: ${record.members.map((m) => m.member).join(', ')}`,
      );
    }
    const input = createReadStream(stored.reference);
    const opened = await new Promise<unknown>((resolve) => {
      input.once('open', () => resolve(undefined));
      input.once('error', resolve);
    });
    if (opened !== undefined) {
      throw storeError.notFound(
        this.text,
        record.group,
        `archive of member ${member} for epoch ${record.epoch} (${stored.reference})`,
        'the store lost it: fetch another epoch',
      );
    }
    try {
      await fetchInto(input, stored, into, this.text);
    } catch (error) {
      if (error instanceof CohortError) throw error;
      throw storeError.io(
        this.text,
        `fetching member ${member}: ${(error as Error).message}`,
        error,
        'check the target path',
      );
    }
  }

  async prune(group: string, keep: number): Promise<number[]> {
    const records = await this.list(group);
    const doomed = chooseEpochsToDelete(
      records.map((r) => r.epoch),
      keep,
    );
    for (const epoch of doomed) {
      // Uncommit first: a half-deleted epoch is never listed.
      await rm(indexPath(this.root, epoch), { force: true });
      await rm(epochDir(this.root, epoch), { recursive: true, force: true });
    }
    const newest = records[0]?.epoch;
    const names = await readdir(this.root).catch(() => [] as string[]);
    for (const name of names) {
      const epoch = epochOfDir(name);
      const committed = records.some((r) => r.epoch === epoch);
      // Leftovers of failed uploads older than the newest stored checkpoint are garbage.
      if (epoch !== undefined && newest !== undefined && epoch < newest && !committed) {
        await rm(join(this.root, name), { recursive: true, force: true });
      }
    }
    return doomed;
  }

  private async readAll(): Promise<StoredCheckpoint[]> {
    let names: string[];
    try {
      names = await readdir(this.root);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw storeError.io(
        this.text,
        `cannot read ${this.root}`,
        error,
        'check the directory and its permissions',
      );
    }
    const records: StoredCheckpoint[] = [];
    for (const name of names) {
      const epoch = epochOfDir(name);
      const record = epoch === undefined ? undefined : await this.readRecord(epoch);
      if (record !== undefined) records.push(record);
    }
    return records.sort((a, b) => b.epoch - a.epoch);
  }

  private async readRecord(epoch: number): Promise<StoredCheckpoint | undefined> {
    const path = indexPath(this.root, epoch);
    const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined;
      throw storeError.io(
        this.text,
        `cannot read ${path}`,
        error,
        'check the file and its permissions',
      );
    });
    return text === undefined ? undefined : readIndexFile(text, path, this.text);
  }

  private async checkGroup(group: string): Promise<void> {
    await this.list(group);
  }

  private writeError(error: unknown, path: string): CohortError {
    if (error instanceof CohortError) return error;
    if (isNoSpace(error)) return storeError.full(this.text, path, error);
    return storeError.io(this.text, `writing ${path} failed: ${(error as Error).message}`, error);
  }
}
