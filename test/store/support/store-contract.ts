import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ErrorCode } from '../../../src/core/errors.js';
import type { CheckpointStore, FetchTarget, StoredMember } from '../../../src/store/index.js';
import {
  testDir,
  expectFetches,
  expectNoOutput,
  expectStoreError,
  makeCheckpointFiles,
  runcSource,
  storeCheckpoint,
} from './fixtures.js';

export interface ContractStore {
  /** A store at a fresh location (`name` keeps locations of one test apart). */
  open(name: string): CheckpointStore;
  /** Another handle on the same location, as a second process would have. */
  reopen(store: CheckpointStore): CheckpointStore;
  /** Flips one byte of a member's stored archive, keeping its size. */
  corrupt(store: CheckpointStore, member: StoredMember): void;
}

/** The behaviour every store kind must show, run against a real directory and a real registry. */
export function storeContract(kind: ContractStore): void {
  it('stores a group checkpoint, lists it newest first and fetches each member', async () => {
    const store = kind.open('basic');
    const first = await storeCheckpoint(store, 'web', 1, ['db', 'api']);
    const second = await storeCheckpoint(store, 'web', 2, ['db', 'api']);
    const listed = await kind.reopen(store).list('web');
    expect(listed.map((r) => r.epoch)).toEqual([2, 1]);
    expect(listed[0]).toMatchObject({ group: 'web', epoch: 2, location: store.location.text });
    expect(listed[0]?.members.map((m) => m.member)).toEqual(['api', 'db']);
    expect(listed[0]?.members.map((m) => m.digest)).toEqual(
      [...second.record.members]
        .sort((a, b) => a.member.localeCompare(b.member))
        .map((m) => m.digest),
    );
    expect(await store.get('web')).toEqual(listed[0]);
    expect(await store.get('web', 1)).toEqual(listed[1]);
    await expectFetches(store, listed[0]!, 'db', second.pages.get('db')!);
    await expectFetches(store, listed[1]!, 'api', first.pages.get('api')!);
    const file = join(testDir('fetch'), 'db.tar.gz');
    await store.fetchMember(listed[0]!, 'db', { file });
  });

  it('never shows a checkpoint with a member missing: members put but not committed are not listed', async () => {
    const store = kind.open('partial');
    const stored = await storeCheckpoint(store, 'web', 4, ['db', 'api']);
    const files = makeCheckpointFiles('db');
    const db = await store.putMember({
      group: 'web',
      epoch: 5,
      member: 'db',
      source: runcSource(files, 'db'),
    });
    expect((await store.list('web')).map((r) => r.epoch)).toEqual([4]);
    // A commit naming a member that was never put is refused, and changes nothing.
    const missing: StoredMember = {
      ...db,
      member: 'api',
      reference: db.reference.replace(/\/db(?=\.tar\.gz$|@)/, '/api'),
    };
    await expectStoreError(
      () =>
        store.putCheckpoint({
          group: 'web',
          epoch: 5,
          createdAt: new Date().toISOString(),
          location: '',
          members: [db, missing],
        }),
      ErrorCode.StoreNotFound,
    );
    const latest = await store.get('web');
    expect(latest.epoch).toBe(4);
    await expectFetches(store, latest, 'api', stored.pages.get('api')!);
  });

  it('says which epochs exist when asked for one that does not', async () => {
    const store = kind.open('noepoch');
    await expectStoreError(() => store.get('web'), ErrorCode.StoreNotFound);
    const stored = await storeCheckpoint(store, 'web', 3, ['db']);
    const error = await expectStoreError(() => store.get('web', 9), ErrorCode.StoreNotFound);
    expect(error.message).toContain(store.location.text);
    expect(error.message).toContain('epoch 9');
    expect(error.message).toContain('stored epochs: 3');
    await expectFetches(store, await store.get('web'), 'db', stored.pages.get('db')!);
  });

  it("detects a location that holds another group's checkpoints", async () => {
    const store = kind.open('othergroup');
    const stored = await storeCheckpoint(store, 'web', 1, ['db']);
    const error = await expectStoreError(() => store.list('shop'), ErrorCode.StoreWrongGroup);
    expect(error.message).toContain('holds group web');
    const files = makeCheckpointFiles('db');
    await expectStoreError(
      () =>
        store.putMember({ group: 'shop', epoch: 2, member: 'db', source: runcSource(files, 'db') }),
      ErrorCode.StoreWrongGroup,
    );
    expect((await store.list('web')).map((r) => r.epoch)).toEqual([1]);
    await expectFetches(store, await store.get('web'), 'db', stored.pages.get('db')!);
  });

  it('refuses a damaged archive with both digests, leaving no output, and the other epochs fetch', async () => {
    const store = kind.open('corrupt');
    const good = await storeCheckpoint(store, 'web', 1, ['db']);
    const bad = await storeCheckpoint(store, 'web', 2, ['db']);
    const member = bad.record.members[0]!;
    kind.corrupt(store, member);
    const record = await store.get('web');
    const parent = testDir('fetch');
    const targets: FetchTarget[] = [
      { dir: join(parent, 'restore') },
      { file: join(parent, 'db.tar.gz') },
    ];
    for (const into of targets) {
      const error = await expectStoreError(
        () => store.fetchMember(record, 'db', into),
        ErrorCode.StoreDigest,
      );
      expect(error.message).toContain(store.location.text);
      expect(error.message).toContain('member db');
      expect(error.message).toContain(member.digest);
      expect(error.message).toMatch(/has digest sha256:[0-9a-f]{64}/);
      expectNoOutput('dir' in into ? into.dir : into.file);
    }
    await expectFetches(store, await store.get('web', 1), 'db', good.pages.get('db')!);
  });

  it('keeps the newest N checkpoints and deletes the rest', async () => {
    const store = kind.open('prune');
    const stored = [];
    for (const epoch of [1, 2, 3, 4])
      stored.push(await storeCheckpoint(store, 'web', epoch, ['db']));
    expect(await store.prune('web', 2)).toEqual([2, 1]);
    expect((await store.list('web')).map((r) => r.epoch)).toEqual([4, 3]);
    expect(await store.prune('web', 1)).toEqual([3]);
    expect(await store.prune('web', 1)).toEqual([]);
    await expectFetches(store, await store.get('web'), 'db', stored[3]!.pages.get('db')!);
    await expectStoreError(() => store.prune('web', 0), ErrorCode.Argv);
  });
}
