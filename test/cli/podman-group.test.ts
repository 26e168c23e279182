import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.js';
import { realCriuTier } from '../criu/support/criu-tier.js';
import {
  newGroup,
  startOneNodeFleet,
  waitForMembers,
  type OneNodeFleet,
} from '../fleet/support/fleet.js';
import { podmanMissing } from '../helpers/podman.js';

const tier = await realCriuTier(
  'cohortctl checkpoint and restore of a podman group',
  podmanMissing(),
);

interface Result {
  group: string;
  kind: string;
  epoch: number;
  outcome: string;
  culprit: string;
  placements: Record<string, string>;
  stored?: { epoch: number; location: string; members: { member: string; digest: string }[] };
}

/** cohortctl's group verbs through cohortd and its agent, as a person at a terminal uses them. */
describe.skipIf(tier.skip !== undefined)(
  'cohortctl checkpoint and restore of a podman group',
  () => {
    let fleet: OneNodeFleet;
    let stores: string;
    beforeAll(async () => {
      fleet = await startOneNodeFleet(dirname(tier.skip === undefined ? tier.criu : ''));
      stores = mkdtempSync(join(tmpdir(), 'cohortctl-stores-'));
    });
    afterAll(async () => {
      await fleet?.stop();
      if (stores !== undefined) rmSync(stores, { recursive: true, force: true });
    });

    /** A running group of counting members, reported to cohortd; returns its containers' names. */
    async function startGroup(group: string, members = ['a', 'b']): Promise<string[]> {
      const names = await Promise.all(members.map((m) => fleet.startMember(group, m, members)));
      await waitForMembers(fleet.ctl, group, members);
      return names;
    }

    it('checkpoint --store: a line per member as it goes, the outcome, each member stored; history and status say so', async () => {
      const group = newGroup();
      const names = await startGroup(group);
      const location = `dir:${join(stores, group)}`;
      const result = await fleet.ctl(['checkpoint', group, '--store', location]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const lines = result.stdout.split('\n');
      expect(lines[0]).toBe(`checkpoint of group ${group}`);
      // Progress is polled: which stages show varies, but every member shows up with its epoch.
      for (const m of ['a', 'b'])
        expect(result.stdout).toMatch(
          new RegExp(`^  ${m}  ${group}-${m}  [a-z ]+ \\(epoch 1\\)$`, 'm'),
        );
      expect(result.stdout).toMatch(
        new RegExp(`^checkpoint of group ${group}: stored at epoch 1 in [\\d.]+m?s$`, 'm'),
      );
      expect(result.stdout).toContain(`stored in ${location}\n`);
      expect(result.stdout).toMatch(
        /^MEMBER +NODE +SIZE +DIGEST\na +node-a +[\d.]+ KiB +sha256:[0-9a-f]{64}\nb +node-a /m,
      );
      // Without --leave-running the checkpoint stops them.
      for (const name of names) expect(await fleet.state(name)).toBe('exited');

      const history = (await fleet.ctl(['history', group])).stdout;
      expect(history).toMatch(/^EPOCH +KIND +OUTCOME +OPENED/);
      expect(history).toMatch(/^1 +checkpoint +stored +/m);
      const status = (await fleet.ctl(['status', group])).stdout;
      expect(status).toMatch(/last permanent checkpoint: epoch 1 at .+, members a, b/);
    });

    it('--json: each outcome as one object; restore --epoch restores the older checkpoint asked for', async () => {
      const group = newGroup();
      const names = await startGroup(group);
      const location = `dir:${join(stores, group)}`;
      const checkpoint = async () => {
        const out = await fleet.ctl([
          'checkpoint',
          group,
          '--store',
          location,
          '--leave-running',
          '--json',
        ]);
        expect(out.code, out.stderr).toBe(0);
        return JSON.parse(out.stdout) as Result;
      };
      const first = await checkpoint();
      expect(first).toMatchObject({
        group,
        kind: 'checkpoint',
        outcome: 'stored',
        placements: { a: 'node-a', b: 'node-a' },
        stored: { epoch: first.epoch, location },
      });
      // --leave-running: they run on.
      for (const name of names) expect(await fleet.state(name)).toBe('running');
      const second = await checkpoint();
      expect(second.epoch).toBeGreaterThan(first.epoch);

      const restore = await fleet.ctl([
        'restore',
        group,
        '--epoch',
        String(first.epoch),
        '--from',
        location,
        '--json',
      ]);
      expect(restore.stderr).toBe('');
      expect(restore.code).toBe(0);
      const restored = JSON.parse(restore.stdout) as Result;
      expect(restored).toMatchObject({ kind: 'restore', outcome: 'permanent' });
      expect(restored.stored?.epoch).toBe(first.epoch);
      expect(restored.stored?.members.map((m) => m.digest)).toEqual(
        first.stored?.members.map((m) => m.digest),
      );
      for (const name of names) expect(await fleet.state(name)).toBe('running');
    });

    it('a member that cannot be dumped fails the whole group: culprit named, exit 1, every member still running', async () => {
      const group = newGroup();
      const members = ['ok', 'ghost'];
      await fleet.startMember(group, 'ok', members);
      // A deleted file of 2 MiB held open: over CRIU's ghost-file limit (1 MiB), so its dump fails.
      await fleet.startMember(
        group,
        'ghost',
        members,
        'dd if=/dev/zero of=/tmp/big bs=1M count=2 2>/dev/null; exec 3</tmp/big; rm /tmp/big; sleep 600',
      );
      await waitForMembers(fleet.ctl, group, members);
      const result = await fleet.ctl([
        'checkpoint',
        group,
        '--store',
        `dir:${join(stores, group)}`,
      ]);
      expect(result.code).toBe(EXIT.failed);
      expect(result.stderr).toMatch(
        new RegExp(
          `^cohortctl: checkpoint of group ${group} aborted at epoch 1 \\(culprit ghost\\): [^\\n]+\\n$`,
        ),
      );
      for (const member of members) expect(await fleet.state(`${group}-${member}`)).toBe('running');
      const history = JSON.parse((await fleet.ctl(['history', group, '--json'])).stdout) as {
        outcome: string;
        culprit?: string;
      }[];
      expect(history.at(-1)).toMatchObject({ outcome: 'aborted', culprit: 'ghost' });
      expect(JSON.parse((await fleet.ctl(['checkpoints', group, '--json'])).stdout)).toEqual([]);
    });

    it('checkpoint with no store keeps it on the nodes (permanent, exit 0); restore then asks for a store', async () => {
      const group = newGroup();
      await startGroup(group);
      const result = await fleet.ctl(['checkpoint', group, '--leave-running']);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(
        new RegExp(`^checkpoint of group ${group}: permanent at epoch 1 `, 'm'),
      );
      expect(result.stdout).not.toContain('stored in');
      const restore = await fleet.ctl(['restore', group]);
      expect(restore.code).toBe(EXIT.usage);
      expect(restore.stderr).toBe(
        `cohortctl: group ${group} has no store in its policy; name one with --from LOCATION\n`,
      );
    });
  },
);
