import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectCoordinator, type CoordinatorClient } from '../../src/coordinator/client.js';
import {
  startCoordinator,
  type RunningCoordinator,
} from '../../src/coordinator/start-coordinator.js';
import { silentLogger } from '../../src/coordinator/server/logger.js';
import { ErrorCode } from '../../src/core/errors.js';
import { isUnbroken } from '../../src/demo/sequence.js';
import { run, RUNC } from '../helpers/runc.js';
import { realCriuTier } from './support/criu-tier.js';
import {
  checkpointAll,
  counterLog,
  imageDir,
  memberStatus,
  processesIn,
  restoreAll,
  startRealGroup,
  waitForCount,
  type RealGroup,
} from './support/runc-group.js';

const tier = await realCriuTier('the real-CRIU runc group tier');

interface Manifest {
  group: string;
  member: string;
  epoch: number;
  members: string[];
}

function readManifest(image: string): Manifest {
  return JSON.parse(readFileSync(join(image, 'cohort-manifest.json'), 'utf8')) as Manifest;
}

/** Every file of an image dir and its content hash: what a later restore reads. */
function imageDigest(image: string): Record<string, string> {
  const digest: Record<string, string> = {};
  for (const name of readdirSync(image).sort()) {
    digest[name] = createHash('sha256')
      .update(readFileSync(join(image, name)))
      .digest('hex');
  }
  return digest;
}

describe.skipIf(tier.skip !== undefined)('a group of three runc containers, real CRIU', () => {
  const criu = tier.skip === undefined ? tier.criu : '';
  let dir: string;
  let socket: string;
  let coordinator: RunningCoordinator;
  let client: CoordinatorClient;
  let fixture: RealGroup | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cohort-criu-runc-'));
    socket = join(dir, 'cohortd.sock');
    coordinator = await startCoordinator({
      listen: [`unix://${socket}`],
      stateDir: join(dir, 'cohortd'),
      // Short enough that a hung member fails the test, long enough for CRIU on 2 loaded cores.
      deadlines: { joinMs: 20_000, readyMs: 20_000, dumpMs: 40_000, restoreMs: 40_000 },
      logger: silentLogger,
    });
    client = await connectCoordinator({ address: `unix://${socket}`, connectTimeoutMs: 5_000 });
  });

  afterEach(async () => {
    await fixture?.cleanup();
    fixture = undefined;
  });

  afterAll(async () => {
    client?.close();
    await coordinator?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  async function expectAllRunningAndThawed(group: RealGroup): Promise<void> {
    for (const member of group.members) {
      expect(await memberStatus(group, member), member.name).toEqual({
        status: 'running',
        freezer: 'THAWED',
      });
    }
  }

  it('checkpoints with --leave-running: one permanent epoch, every member runs on, thawed', async () => {
    fixture = await startRealGroup({ socket, criu });
    const group = fixture;
    const results = await checkpointAll(group, group.members, { label: 'ck', leaveRunning: true });
    for (const result of results) expect(result).toEqual({ exitCode: 0, errors: [] });

    await expectAllRunningAndThawed(group);
    for (const member of group.members) {
      const now = counterLog(member).last ?? 0;
      await waitForCount(member, now + 3);
      expect(isUnbroken(counterLog(member)), member.name).toBe(true);
    }

    const manifests = group.members.map((m) => readManifest(imageDir(group, m, 'ck')));
    expect(new Set(manifests.map((m) => m.epoch)).size).toBe(1);
    for (const [index, manifest] of manifests.entries()) {
      expect(manifest).toMatchObject({ group: group.group, member: `m${index}` });
      expect([...manifest.members].sort()).toEqual(['m0', 'm1', 'm2']);
    }
    const round = (await client.history(group.group)).find((r) => r.epoch === manifests[0]?.epoch);
    expect(round).toMatchObject({ kind: 'checkpoint', outcome: 'permanent' });
  });

  it("fails a bare `runc checkpoint` of a member at cohort's hook: CRIU aborts, the member runs on, thawed", async () => {
    fixture = await startRealGroup({ socket, criu, size: 1 });
    const group = fixture;
    const member = group.members[0];
    if (member === undefined) throw new Error('no member');
    const image = join(group.sandbox.dir, 'bare-image');
    const bare = await run(RUNC, [
      '--root',
      group.sandbox.root,
      '--criu',
      criu,
      'checkpoint',
      '--leave-running',
      '--image-path',
      image,
      '--work-path',
      image,
      member.id,
    ]);
    expect(bare.exitCode).not.toBe(0);
    // CRIU's log names the hook's refusal: the member was never dumped uncoordinated.
    expect(readFileSync(join(image, 'dump.log'), 'utf8')).toContain(
      'checkpoint and restore it through cohort',
    );
    expect(readdirSync(image).filter((file) => file.endsWith('.img'))).toEqual([]);
    await expectAllRunningAndThawed(group);
    // No round was ever opened: the coordinator has not heard of the group.
    await expect(client.history(group.group)).rejects.toMatchObject({
      code: ErrorCode.UnknownGroup,
    });
  });

  it('checkpoints and stops the group, restores all three (every counter continues, no gap, no repeat), and checkpoints them again', async () => {
    fixture = await startRealGroup({ socket, criu });
    const group = fixture;
    const dumped = await checkpointAll(group, group.members, { label: 'ck' });
    for (const result of dumped) expect(result).toEqual({ exitCode: 0, errors: [] });
    for (const member of group.members)
      expect((await memberStatus(group, member)).status).toBe('gone');
    const atCheckpoint = group.members.map((m) => counterLog(m).last ?? 0);

    const restored = await restoreAll(group, group.members, { label: 'ck' });
    for (const result of restored) expect(result).toEqual({ exitCode: 0, errors: [] });
    await expectAllRunningAndThawed(group);
    for (const [index, member] of group.members.entries()) {
      await waitForCount(member, (atCheckpoint[index] ?? 0) + 5);
      const log = counterLog(member);
      expect(log.gaps, member.name).toEqual([]);
      expect(log.repeats, member.name).toEqual([]);
      expect(log.first).toBe(1);
      expect(log.last).toBeGreaterThan(atCheckpoint[index] ?? 0);
    }
    const history = await client.history(group.group);
    expect(history.at(-1)).toMatchObject({ kind: 'restore', outcome: 'permanent' });

    // The restored containers are group members still: the next checkpoint is coordinated too.
    const again = await checkpointAll(group, group.members, { label: 'again', leaveRunning: true });
    for (const result of again) expect(result).toEqual({ exitCode: 0, errors: [] });
    const epochs = group.members.map((m) => readManifest(imageDir(group, m, 'again')).epoch);
    expect(new Set(epochs).size).toBe(1);
    expect(epochs[0]).toBeGreaterThan(readManifest(imageDir(group, group.members[0]!, 'ck')).epoch);
    expect((await client.history(group.group)).at(-1)).toMatchObject({
      kind: 'checkpoint',
      epoch: epochs[0],
      outcome: 'permanent',
    });
    await expectAllRunningAndThawed(group);
  });

  it('aborts every member when CRIU cannot dump one (a host file as its stderr): all keep running, thawed, nothing permanent', async () => {
    fixture = await startRealGroup({ socket, criu, stderrOnHostFile: 'm1' });
    const group = fixture;
    const results = await checkpointAll(group, group.members, { label: 'ck', leaveRunning: true });
    for (const result of results) expect(result.exitCode).not.toBe(0);
    for (const index of [0, 2]) {
      expect(results[index]?.errors.join('\n')).toMatch(
        new RegExp(
          `checkpoint of ${group.group}/m${index} aborted \\(culprit ${group.group}/m1\\): member m1 `,
        ),
      );
    }
    // The culprit's own caller gets runc's failure and the way to CRIU's log.
    const own = results[1]?.errors.join('\n') ?? '';
    expect(own).toContain(`checkpoint of ${group.group}/m1 `);
    expect(own).toContain(join(imageDir(group, group.members[1]!, 'ck') + '-work', 'dump.log'));
    expect(
      readFileSync(join(imageDir(group, group.members[1]!, 'ck') + '-work', 'dump.log'), 'utf8'),
    ).toMatch(/Can't lookup mount=\d+ for fd=2/);

    await expectAllRunningAndThawed(group);
    for (const member of group.members) {
      const now = counterLog(member).last ?? 0;
      await waitForCount(member, now + 2);
    }
    const history = await client.history(group.group);
    expect(history.at(-1)).toMatchObject({ kind: 'checkpoint', outcome: 'aborted', culprit: 'm1' });
    expect(history.filter((r) => r.outcome === 'permanent')).toEqual([]);
  });

  it("kills every restored tree when one member's images are broken, keeps the others' images, and a clean restore then succeeds", async () => {
    fixture = await startRealGroup({ socket, criu });
    const group = fixture;
    const dumped = await checkpointAll(group, group.members, { label: 'ck' });
    for (const result of dumped) expect(result).toEqual({ exitCode: 0, errors: [] });
    const atCheckpoint = group.members.map((m) => counterLog(m).last ?? 0);
    const images = group.members.map((m) => imageDir(group, m, 'ck'));
    const before = images.map((image) => imageDigest(image));

    // m1 loses its memory pages: CRIU fails mid-restore, after the others restored their trees.
    const broken = images[1] ?? '';
    const aside = join(group.sandbox.dir, 'pages-aside');
    mkdirSync(aside);
    const pages = readdirSync(broken).filter((name) => /^pages-\d+\.img$/.test(name));
    expect(pages.length).toBeGreaterThan(0);
    for (const name of pages) renameSync(join(broken, name), join(aside, name));

    const failed = await restoreAll(group, group.members, { label: 'ck' });
    for (const result of failed) expect(result.exitCode).not.toBe(0);
    for (const index of [0, 2]) {
      expect(failed[index]?.errors.join('\n')).toMatch(
        new RegExp(
          `restore of ${group.group}/m${index} aborted \\(culprit ${group.group}/m1\\): member m1 `,
        ),
      );
    }
    for (const member of group.members) {
      expect((await memberStatus(group, member)).status, member.name).toBe('gone');
      expect(processesIn(member), member.name).toEqual([]);
    }
    expect((await client.history(group.group)).at(-1)).toMatchObject({
      kind: 'restore',
      outcome: 'aborted',
      culprit: 'm1',
    });
    for (const index of [0, 2]) expect(imageDigest(images[index] ?? '')).toEqual(before[index]);

    for (const name of pages) renameSync(join(aside, name), join(broken, name));
    expect(imageDigest(broken)).toEqual(before[1]);
    const restored = await restoreAll(group, group.members, { label: 'ck' });
    for (const result of restored) expect(result).toEqual({ exitCode: 0, errors: [] });
    await expectAllRunningAndThawed(group);
    for (const [index, member] of group.members.entries()) {
      await waitForCount(member, (atCheckpoint[index] ?? 0) + 3);
      expect(isUnbroken(counterLog(member)), member.name).toBe(true);
    }
  });
});
