import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, expect } from 'vitest';
import { isCohortError, type ErrorCode } from '../../../src/core/errors.js';
import {
  makeConfigDump,
  makeRuncArchiveSource,
  type ArchiveSource,
  type CheckpointStore,
  type StoredCheckpoint,
  type StoredMember,
} from '../../../src/store/index.js';

/** Every temporary directory of this test file, removed after its tests. */
const ROOT = mkdtempSync(join(tmpdir(), 'cohort-store-test-'));
afterAll(() => rmSync(ROOT, { recursive: true, force: true }));

/** A new directory under this process's temporary root. */
export function testDir(prefix: string): string {
  return mkdtempSync(join(ROOT, `${prefix}-`));
}

/** A fake CRIU image dir (random pages, so gzip cannot shrink them) and a bundle config, per member. */
export function makeCheckpointFiles(
  member: string,
  pagesBytes = 200_000,
): { dir: string; pages: Buffer } {
  const dir = testDir(`ckpt-${member}`);
  mkdirSync(join(dir, 'checkpoint'));
  const pages = randomBytes(pagesBytes);
  writeFileSync(join(dir, 'checkpoint', 'pages-1.img'), pages);
  writeFileSync(join(dir, 'checkpoint', 'inventory.img'), `inventory of ${member}`);
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify({ ociVersion: '1.0.2', annotations: { 'io.cohort.member': member } }),
  );
  return { dir, pages };
}

export function runcSource(files: { dir: string }, member: string): ArchiveSource {
  return makeRuncArchiveSource({
    imageDir: join(files.dir, 'checkpoint'),
    specFile: join(files.dir, 'config.json'),
    configDump: makeConfigDump({ id: member, checkpointedTime: new Date() }),
  });
}

/** Stores a group checkpoint of `members` at `epoch` (every member put, then the commit). */
export async function storeCheckpoint(
  store: CheckpointStore,
  group: string,
  epoch: number,
  members: readonly string[],
): Promise<{ record: StoredCheckpoint; pages: Map<string, Buffer> }> {
  const pages = new Map<string, Buffer>();
  const stored: StoredMember[] = [];
  for (const member of members) {
    const files = makeCheckpointFiles(member);
    pages.set(member, files.pages);
    stored.push(await store.putMember({ group, epoch, member, source: runcSource(files, member) }));
  }
  const record: StoredCheckpoint = {
    group,
    epoch,
    createdAt: new Date().toISOString(),
    location: store.location.text,
    members: stored,
  };
  await store.putCheckpoint(record);
  return { record, pages };
}

/** Fetches a member into a new dir and checks its pages are the ones stored. */
export async function expectFetches(
  store: CheckpointStore,
  record: StoredCheckpoint,
  member: string,
  pages: Buffer,
): Promise<void> {
  const out = join(testDir('fetch'), 'restore');
  await store.fetchMember(record, member, { dir: out });
  expect(readFileSync(join(out, 'checkpoint', 'pages-1.img')).equals(pages)).toBe(true);
  expect(existsSync(join(out, 'spec.dump'))).toBe(true);
  expect(existsSync(join(out, 'config.dump'))).toBe(true);
}

/** Runs `work` and returns the CohortError it threw, checking its code and that its message is one line. */
export async function expectStoreError(
  work: () => Promise<unknown>,
  code: ErrorCode,
): Promise<Error> {
  let error: unknown;
  try {
    await work();
  } catch (caught) {
    error = caught;
  }
  expect(isCohortError(error), `expected a CohortError ${code}, got ${String(error)}`).toBe(true);
  expect((error as { code: string }).code, (error as Error).message).toBe(code);
  expect((error as Error).message.split('\n')).toHaveLength(1);
  return error as Error;
}

/** Nothing named like `target` or its temporary siblings exists. */
export function expectNoOutput(target: string): void {
  expect(existsSync(target)).toBe(false);
  const base = target.split('/').pop() ?? '';
  expect(readdirSync(dirname(target)).filter((name) => name.includes(base))).toEqual([]);
}
