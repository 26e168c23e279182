import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { useCoordinator } from './coordinator-fixture.js';
import {
  checkpointMembers,
  containerStatus,
  readEvents,
  startGroup,
  type GroupFixture,
} from './group-harness.js';

const coordinator = useCoordinator();
const { socket, dir } = coordinator;
let fixture: GroupFixture | undefined;

afterEach(async () => {
  await fixture?.cleanup();
  fixture = undefined;
});

async function expectAllRunningAndThawed(group: GroupFixture): Promise<void> {
  for (const member of group.members) {
    expect(await containerStatus(group, member)).toEqual({ status: 'running', freezer: 'THAWED' });
  }
}

describe.each([1, 3, 8])('a group of %i checkpointed through cohort', (size) => {
  it('commits once every member voted, and every member gets the same permanent epoch', async () => {
    fixture = await startGroup({ size, socket });
    // One member freezes late: no member may pass network-lock before it is frozen.
    const results = await checkpointMembers(fixture, fixture.members, {
      faults: { m0: { FAKE_CRIU_DELAY: 'freeze:400' } },
    });
    for (const result of results) expect(result.exitCode, result.stderr).toBe(0);

    const manifests = fixture.members.map(
      (m) =>
        JSON.parse(readFileSync(join(m.image, 'cohort-manifest.json'), 'utf8')) as {
          epoch: number;
          members: string[];
          group: string;
          member: string;
        },
    );
    const epochs = new Set(manifests.map((m) => m.epoch));
    expect(epochs.size).toBe(1);
    for (const [index, manifest] of manifests.entries()) {
      expect(manifest.group).toBe(fixture.group);
      expect(manifest.member).toBe(fixture.members[index]?.name);
      expect([...manifest.members].sort()).toEqual(fixture.members.map((m) => m.name).sort());
    }
    const history = await coordinator.client().history(fixture.group);
    expect(history.find((r) => r.epoch === manifests[0]?.epoch)?.outcome).toBe('permanent');

    // CRIU's order per member, and no member left network-lock (and so wrote images) before
    // every member was frozen: the frozen barrier's promise.
    const events = readEvents(fixture);
    for (const member of fixture.members) {
      const mine = events.filter((e) => e.id === member.id).map((e) => `${e.event}:${e.code}`);
      expect(mine).toEqual(['pre-dump:0', 'frozen:0', 'network-lock:0', 'post-dump:0']);
    }
    const lastFrozen = Math.max(...events.filter((e) => e.event === 'frozen').map((e) => e.at));
    const firstFrozenRelease = Math.min(
      ...events.filter((e) => e.event === 'network-lock').map((e) => e.at),
    );
    expect(firstFrozenRelease).toBeGreaterThanOrEqual(lastFrozen);
    // Without --leave-running, CRIU stops the dumped containers.
    for (const member of fixture.members)
      expect((await containerStatus(fixture, member)).status).toBe('gone');
  });
});

describe('faults during a group checkpoint', () => {
  it('aborts every member when one dump fails; all keep running, nothing is permanent', async () => {
    fixture = await startGroup({ size: 3, socket });
    const results = await checkpointMembers(fixture, fixture.members, {
      leaveRunning: true,
      faults: { m1: { FAKE_CRIU_FAIL_AT: 'dump' } },
    });
    for (const result of results) expect(result.exitCode).not.toBe(0);
    expect(results[0]?.stderr).toMatch(
      new RegExp(
        `checkpoint of ${fixture.group}/m0 aborted \\(culprit ${fixture.group}/m1\\): member m1`,
      ),
    );
    await expectAllRunningAndThawed(fixture);
    const history = await coordinator.client().history(fixture.group);
    expect(history.at(-1)?.outcome).toBe('aborted');
    expect(history.at(-1)?.culprit).toBe('m1');
    for (const member of fixture.members)
      expect(existsSync(join(member.image, 'cohort-manifest.json'))).toBe(false);
  });

  it.each(['pre-dump', 'network-lock'])(
    'aborts every member when one runc is killed after %s, and thaws the container it left frozen',
    async (action) => {
      fixture = await startGroup({ size: 3, socket });
      const results = await checkpointMembers(fixture, fixture.members, {
        leaveRunning: true,
        faults: { m2: { FAKE_RUNC_DIE_AT: action } },
      });
      for (const result of results) expect(result.exitCode).not.toBe(0);
      await expectAllRunningAndThawed(fixture);
      expect((await coordinator.client().history(fixture.group)).at(-1)?.outcome).toBe('aborted');
    },
  );

  it('keeps a commit when a runc dies after post-dump, but never calls that checkpoint permanent', async () => {
    fixture = await startGroup({ size: 3, socket });
    const results = await checkpointMembers(fixture, fixture.members, {
      leaveRunning: true,
      faults: { m2: { FAKE_RUNC_DIE_AT: 'post-dump' } },
    });
    expect(results.map((r) => r.exitCode === 0)).toEqual([true, true, false]);
    expect(results[2]?.stderr).toContain(`checkpoint of ${fixture.group}/m2 failed`);
    await expectAllRunningAndThawed(fixture);
    const last = (await coordinator.client().history(fixture.group)).at(-1);
    expect(last?.outcome).toBe('committed');
    expect(last?.reason).toContain('not permanent');
  });

  it('aborts at the join deadline when a declared member never arrives', async () => {
    fixture = await startGroup({ size: 3, socket });
    const present = fixture.members.slice(0, 2);
    const results = await checkpointMembers(fixture, present, { leaveRunning: true });
    for (const result of results) {
      expect(result.exitCode).not.toBe(0);
      expect(result.stderr).toMatch(/m2/);
    }
    await expectAllRunningAndThawed(fixture);
  });

  it('fails within seconds, container untouched, when the coordinator is unreachable', async () => {
    fixture = await startGroup({ size: 1, socket: join(dir, 'nobody-listens.sock') });
    const [result] = await checkpointMembers(fixture, fixture.members, { leaveRunning: true });
    expect(result?.exitCode).toBe(1);
    expect(result?.stderr).toContain('nobody-listens.sock');
    expect(readEvents(fixture)).toEqual([]);
    await expectAllRunningAndThawed(fixture);
  });

  it('commits a group that declares only its size', async () => {
    fixture = await startGroup({ size: 2, socket, declare: 'size' });
    const results = await checkpointMembers(fixture, fixture.members);
    for (const result of results) expect(result.exitCode, result.stderr).toBe(0);
  });

  it('checkpoints a plain container with no coordinator contact', async () => {
    fixture = await startGroup({
      size: 1,
      socket: join(dir, 'nobody-listens.sock'),
      declare: 'none',
    });
    const member = fixture.members[0];
    if (member === undefined) throw new Error('no member');
    // The fake logs CRIU events; a plain container's checkpoint reaches it as runc's own argv.
    const [result] = await checkpointMembers(fixture, [member], { leaveRunning: true });
    expect(result?.exitCode, result?.stderr).toBe(0);
  });
});
