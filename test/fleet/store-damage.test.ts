import { execFileSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  fstatSync,
  mkdtempSync,
  openSync,
  readlinkSync,
  readSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.js';
import { realCriuTier } from '../criu/support/criu-tier.js';
import { podmanMissing } from '../helpers/podman.js';
import {
  blobDataPath,
  registryMissing,
  startRegistry,
  type TestRegistry,
} from '../helpers/registry.js';
import { newGroup, startOneNodeFleet, type OneNodeFleet } from './support/fleet.js';
import {
  expectOneLineError,
  expectRestores,
  listCheckpoints,
  startStoredPair,
  storeCheckpoint,
} from './support/stored-group.js';

const tier = await realCriuTier(
  'a full store and a damaged one, through cohortctl (podman)',
  podmanMissing() ?? registryMissing(),
);

/** A location as a pattern that matches it literally. */
const escape = (text: string) => text.replace(/[./]/g, '\\$&');

describe.skipIf(tier.skip !== undefined)('a store that fills up or is damaged', () => {
  let fleet: OneNodeFleet;
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry();
    fleet = await startOneNodeFleet(dirname(tier.skip === undefined ? tier.criu : ''));
  });
  afterAll(async () => {
    await fleet?.stop();
    await registry?.stop();
  });

  const history = async (group: string) =>
    (
      JSON.parse((await fleet.ctl(['history', group, '--json'])).stdout) as {
        epoch: number;
        outcome: string;
      }[]
    ).map((r) => [r.epoch, r.outcome]);

  it('a full disk under a dir: store: exit 8, committed but not stored; the previous checkpoint stays whole and restores', async () => {
    // A 1 MiB tmpfs is the store's disk: two members' archives fit, the filler takes the rest.
    const mountpoint = mkdtempSync(join(tmpdir(), 'cohort-full-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mountpoint]);
    try {
      const group = newGroup();
      const location = `dir:${mountpoint}/${group}`;
      const { names, epoch } = await startStoredPair(fleet, group, location);
      fill(join(mountpoint, 'filler'));
      const result = await fleet.ctl(['checkpoint', group, '--store', location, '--leave-running']);
      expectOneLineError(
        result,
        EXIT.storeFull,
        new RegExp(
          `checkpoint of group ${group} permanent at epoch ${epoch + 1} \\(culprit [ab]\\): committed but not stored: store ${escape(location)} is full: .+; free space there or prune old checkpoints`,
        ),
      );
      expect(await history(group)).toEqual([
        [epoch, 'stored'],
        [epoch + 1, 'permanent'],
      ]);
      expect((await listCheckpoints(fleet, group)).map((c) => c.epoch)).toEqual([epoch]);
      // What is stored is as it was: the new epoch has no record, latest still names the old.
      expect(existsSync(join(mountpoint, group, `epoch-${epoch + 1}`, 'index.json'))).toBe(false);
      expect(readlinkSync(join(mountpoint, group, 'latest'))).toBe(`epoch-${epoch}`);
      await expectRestores(fleet, group, location, names);
    } finally {
      execFileSync('umount', [mountpoint]);
      rmSync(mountpoint, { recursive: true, force: true });
    }
  });

  it('a blob damaged in the registry: exit 9 naming the member, no member restored; an older epoch restores', async () => {
    const group = newGroup();
    const location = `oci://${registry.host}/cohort/${group}`;
    const { names, epoch: first } = await startStoredPair(fleet, group, location);
    const latest = await storeCheckpoint(fleet, group, location);
    const damaged = (await listCheckpoints(fleet, group))[0]?.members.find((m) => m.member === 'b');
    expect(damaged).toBeDefined();
    flipByte(blobDataPath(registry, damaged?.digest ?? ''));
    const result = await fleet.ctl(['restore', group, '--from', location]);
    expectOneLineError(
      result,
      EXIT.storeCorrupt,
      new RegExp(
        `store ${escape(location)}: member b's archive has digest sha256:[0-9a-f]{64}, but the record says ${damaged?.digest}; .+`,
      ),
    );
    // All or none: a, whose archive was sound, is not running either.
    for (const name of names) expect(await fleet.state(name)).not.toBe('running');
    expect((await history(group)).at(-1)).toEqual([latest + 1, 'aborted']);
    await expectRestores(fleet, group, location, names, first);
  });
});

/** Writes zeros until the filesystem is full. */
function fill(path: string): void {
  const fd = openSync(path, 'w');
  const block = Buffer.alloc(4096);
  try {
    for (;;) writeSync(fd, block);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
}

/** Changes one byte in the middle of a file, keeping its size. */
function flipByte(path: string): void {
  const fd = openSync(path, 'r+');
  try {
    const at = Math.floor(fstatSync(fd).size / 2);
    const byte = Buffer.alloc(1);
    readSync(fd, byte, 0, 1, at);
    byte[0] = (byte[0] ?? 0) ^ 0xff;
    writeSync(fd, byte, 0, 1, at);
  } finally {
    closeSync(fd);
  }
}
