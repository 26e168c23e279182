import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/errors.js';
import { openStore, parseStoreLocation, type CheckpointStore } from '../../src/store/index.js';
import {
  testDir,
  expectFetches,
  expectStoreError,
  makeCheckpointFiles,
  runcSource,
  storeCheckpoint,
} from './support/fixtures.js';
import { storeContract } from './support/store-contract.js';

const root = testDir('dirstore');
const open = (path: string): CheckpointStore =>
  openStore(parseStoreLocation(`dir:${path}`), { env: {} });

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('dir: store', () => {
  storeContract({
    open: (name) => open(join(root, name)),
    reopen: (store) => open(store.location.kind === 'dir' ? store.location.path : ''),
    corrupt(_store, member) {
      const data = readFileSync(member.reference);
      data[data.length - 100] = (data[data.length - 100] ?? 0) ^ 0xff;
      writeFileSync(member.reference, data);
    },
  });

  it('lays out epoch-N/MEMBER.tar.gz with index.json and a latest link', async () => {
    const store = open(join(root, 'layout'));
    await storeCheckpoint(store, 'web', 3, ['db']);
    expect(readdirSync(join(root, 'layout')).sort()).toEqual(['epoch-3', 'latest']);
    expect(readdirSync(join(root, 'layout', 'latest')).sort()).toEqual(['db.tar.gz', 'index.json']);
    const index = JSON.parse(
      readFileSync(join(root, 'layout', 'epoch-3', 'index.json'), 'utf8'),
    ) as Record<string, unknown>;
    expect(index).toMatchObject({ format: 1, group: 'web', epoch: 3 });
    // Readable by the tools users have: tar reads the archive podman's --import takes.
    const names = execFileSync('tar', ['-tzf', join(root, 'layout', 'epoch-3', 'db.tar.gz')], {
      encoding: 'utf8',
    });
    expect(names.split('\n')).toContain('checkpoint/pages-1.img');
  });
});

const tmpfsMissing = process.getuid?.() !== 0 ? 'a tmpfs mount needs root' : undefined;

describe.skipIf(tmpfsMissing !== undefined)('dir: store on a full disk', () => {
  const mount = join(root, 'small');

  afterAll(() => {
    execFileSync('umount', [mount]);
  });

  it('fails with StoreFull naming the location, leaves no partial file, and the previous checkpoint stays', async () => {
    mkdirSync(mount);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'cohort-test', mount]);
    const store = open(join(mount, 'web'));
    const first = await storeCheckpoint(store, 'web', 1, ['db']);
    const big = makeCheckpointFiles('db', 2_000_000);
    const error = await expectStoreError(
      () =>
        store.putMember({ group: 'web', epoch: 2, member: 'db', source: runcSource(big, 'db') }),
      ErrorCode.StoreFull,
    );
    expect(error.message).toContain(store.location.text);
    expect(error.message).toContain('prune');
    expect(readdirSync(join(mount, 'web', 'epoch-2'))).toEqual([]);
    expect(existsSync(join(mount, 'web', 'epoch-2', 'index.json'))).toBe(false);
    const latest = await store.get('web');
    expect(latest.epoch).toBe(1);
    await expectFetches(store, latest, 'db', first.pages.get('db')!);
  });
});
