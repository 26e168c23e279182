import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { useCoordinator } from './coordinator-fixture.js';
import {
  checkpointMembers,
  containerStatus,
  readEvents,
  restoreMembers,
  startGroup,
  type GroupFixture,
} from './group-harness.js';

const coordinator = useCoordinator();
const { socket } = coordinator;
let fixture: GroupFixture | undefined;

afterEach(async () => {
  await fixture?.cleanup();
  fixture = undefined;
});

async function checkpointedGroup(size: number): Promise<GroupFixture> {
  const group = await startGroup({ size, socket });
  const results = await checkpointMembers(group, group.members);
  for (const result of results) expect(result.exitCode, result.stderr).toBe(0);
  return group;
}

describe.each([1, 3, 8])('a group of %i restored through cohort', (size) => {
  it('restores every member, and none runs before every member is restored', async () => {
    fixture = await checkpointedGroup(size);
    const results = await restoreMembers(fixture, fixture.members);
    for (const result of results) expect(result.exitCode, result.stderr).toBe(0);
    for (const member of fixture.members) {
      expect(await containerStatus(fixture, member)).toEqual({
        status: 'running',
        freezer: 'THAWED',
      });
    }
    const events = readEvents(fixture);
    const lastVote = Math.max(...events.filter((e) => e.event === 'post-restore').map((e) => e.at));
    const starts = events.filter((e) => e.event === 'started');
    expect(starts).toHaveLength(size);
    for (const start of starts) expect(start.at).toBeGreaterThanOrEqual(lastVote);
    for (const member of fixture.members) {
      const restoreEvents = events
        .filter(
          (e) =>
            e.id === member.id &&
            !['pre-dump', 'frozen', 'network-lock', 'post-dump'].includes(e.event),
        )
        .map((e) => e.event);
      expect(restoreEvents).toEqual([
        'pre-restore',
        'setup-namespaces',
        'post-setup-namespaces',
        'post-restore',
        'network-unlock',
        'pre-resume',
        'started',
        'post-resume',
      ]);
    }
    const history = await coordinator.client().history(fixture.group);
    expect(history.at(-1)).toMatchObject({ kind: 'restore', outcome: 'permanent' });
  });
});

describe('faults during a group restore', () => {
  it("kills every member's restored tree when one member's restore fails", async () => {
    fixture = await checkpointedGroup(3);
    const results = await restoreMembers(fixture, fixture.members, {
      faults: { m1: { FAKE_CRIU_FAIL_AT: 'restore' } },
    });
    for (const result of results) expect(result.exitCode).not.toBe(0);
    expect(results[0]?.stderr).toContain(
      `restore of ${fixture.group}/m0 aborted (culprit ${fixture.group}/m1): member m1`,
    );
    for (const member of fixture.members)
      expect((await containerStatus(fixture, member)).status).toBe('gone');
    expect(readEvents(fixture).filter((e) => e.event === 'started')).toEqual([]);
    expect((await coordinator.client().history(fixture.group)).at(-1)).toMatchObject({
      kind: 'restore',
      outcome: 'aborted',
      culprit: 'm1',
    });
  });

  it('refuses to restore a checkpoint that never became permanent', async () => {
    fixture = await startGroup({ size: 3, socket });
    await checkpointMembers(fixture, fixture.members, {
      faults: { m2: { FAKE_RUNC_DIE_AT: 'post-dump' } },
    });
    const survivors = fixture.members.slice(0, 2);
    for (const member of survivors)
      expect(existsSync(join(member.image, 'cohort-manifest.json'))).toBe(true);
    const results = await restoreMembers(fixture, survivors);
    for (const result of results) {
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toMatch(/not permanent/);
    }
    for (const member of survivors)
      expect((await containerStatus(fixture, member)).status).toBe('gone');
  });
});
