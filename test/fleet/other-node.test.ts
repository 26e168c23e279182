import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realCriuTier } from '../criu/support/criu-tier.js';
import { podmanMissing } from '../helpers/podman.js';
import { registryMissing, startRegistry, type TestRegistry } from '../helpers/registry.js';
import {
  eventually,
  newGroup,
  startOneNodeFleet,
  waitForMembers,
  type OneNodeFleet,
} from './support/fleet.js';
import type { PodmanNode } from './support/podman-node.js';

const tier = await realCriuTier(
  'a group restored on another node (podman)',
  podmanMissing() ?? registryMissing(),
);

describe.skipIf(tier.skip !== undefined)('a group restored on another node', () => {
  let fleet: OneNodeFleet;
  let other: PodmanNode;
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry();
    fleet = await startOneNodeFleet(dirname(tier.skip === undefined ? tier.criu : ''));
    // node-b: its own podman storage and state dir, its own agent.
    other = await fleet.addNode('node-b');
  });
  afterAll(async () => {
    await fleet?.stop();
    await registry?.stop();
  });

  it("node-a's agent gone, restore --from puts every member on node-b, counting on from the checkpoint", async () => {
    const group = newGroup();
    const location = `oci://${registry.host}/cohort/${group}`;
    const names = await Promise.all(['a', 'b'].map((m) => fleet.startMember(group, m, ['a', 'b'])));
    await waitForMembers(fleet.ctl, group, ['a', 'b']);
    const stopped = await fleet.ctl(['checkpoint', group, '--store', location]);
    expect(stopped.code, stopped.stderr).toBe(0);
    const before = await Promise.all(names.map((n) => fleet.count(n)));
    fleet.node.stopAgent();
    await eventually(async () => {
      const nodes = JSON.parse((await fleet.ctl(['nodes', '--json'])).stdout) as {
        name: string;
        connected: boolean;
      }[];
      return nodes.find((n) => n.name === 'node-a')?.connected === false ? true : undefined;
    }, 'cohortd sees node-a gone');

    const restore = await fleet.ctl(['restore', group, '--from', location, '--json']);
    expect(restore.stderr).toBe('');
    expect(restore.code).toBe(0);
    const result = JSON.parse(restore.stdout.trim().split('\n').at(-1) ?? '{}') as {
      outcome: string;
      placements: Record<string, string>;
    };
    expect(result).toMatchObject({
      outcome: 'permanent',
      placements: { a: 'node-b', b: 'node-b' },
    });
    for (const [i, name] of names.entries()) {
      expect(await other.state(name)).toBe('running');
      const at = before[i] ?? 0;
      await eventually(async () => {
        const now = await other.count(name);
        // From the checkpoint's count on, not from 1: the same process, moved.
        return now > at && now < at + 600 ? true : undefined;
      }, `${name} counts on past ${at} on node-b`);
    }
    await eventually(async () => {
      const shown = JSON.parse((await fleet.ctl(['group', 'show', group, '--json'])).stdout) as {
        nodes: Record<string, string>;
      };
      return shown.nodes.a === 'node-b' && shown.nodes.b === 'node-b' ? true : undefined;
    }, 'cohortd hears of the members on node-b');
  });
});
