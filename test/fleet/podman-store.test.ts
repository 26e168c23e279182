import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realCriuTier } from '../criu/support/criu-tier.js';
import { podmanMissing } from '../helpers/podman.js';
import { eventually, startOneNodeFleet, type OneNodeFleet } from './support/fleet.js';

const tier = await realCriuTier('the stored-checkpoint tier (podman)', podmanMissing());

describe.skipIf(tier.skip !== undefined)(
  'a podman group checkpointed to a store and restored from it',
  () => {
    let fleet: OneNodeFleet;
    let store: string;
    beforeAll(async () => {
      fleet = await startOneNodeFleet(dirname(tier.skip === undefined ? tier.criu : ''));
      store = mkdtempSync(join(tmpdir(), 'cohort-store-'));
    });
    afterAll(async () => {
      await fleet?.stop();
      if (store !== undefined) rmSync(store, { recursive: true, force: true });
    });

    it('stores every member, survives podman rm, and restores the group from the store', async () => {
      const group = `g${Math.random().toString(36).slice(2, 8)}`;
      const names = await Promise.all(
        ['a', 'b'].map((m) => fleet.startMember(group, m, ['a', 'b'])),
      );
      await eventually(
        async () =>
          (await fleet.ctl(['group', 'show', group, '--json'])).stdout.includes('"member":"b"')
            ? true
            : undefined,
        'the agent reports both members',
      );
      const location = `dir:${store}`;
      const checkpoint = await fleet.ctl(['checkpoint', group, '--store', location]);
      expect(checkpoint.stderr).toBe('');
      expect(checkpoint.code).toBe(0);
      expect(checkpoint.stdout).toMatch(/checkpoint of group \S+: stored at epoch \d+/);
      expect(readdirSync(store).length).toBeGreaterThan(0);
      const listed = JSON.parse((await fleet.ctl(['checkpoints', group, '--json'])).stdout) as {
        epoch: number;
        members: { member: string; digest: string }[];
      }[];
      expect(listed[0]?.members.map((m) => m.member)).toEqual(['a', 'b']);
      // Stopped by the checkpoint: their counters hold the values the checkpoint has.
      const before = await Promise.all(names.map((n) => fleet.count(n)));
      expect(await Promise.all(names.map((n) => fleet.state(n)))).toEqual(['exited', 'exited']);
      await fleet.podman.podman(['rm', '--force', '--time', '0', ...names]);
      const restore = await fleet.ctl(['restore', group, '--from', location]);
      expect(restore.stderr).toBe('');
      expect(restore.code).toBe(0);
      for (const [index, name] of names.entries()) {
        expect(await fleet.state(name)).toBe('running');
        const at = before[index] ?? 0;
        // Continued from the checkpoint: counting on from where it stopped, not from 1.
        await eventually(
          async () => ((await fleet.count(name)) > at ? true : undefined),
          `${name} counts on past ${at}`,
        );
      }
    });
  },
);
