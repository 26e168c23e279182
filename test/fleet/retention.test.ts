import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realCriuTier } from '../criu/support/criu-tier.js';
import { podmanMissing } from '../helpers/podman.js';
import { registryMissing, startRegistry, type TestRegistry } from '../helpers/registry.js';
import { newGroup, startOneNodeFleet, waitForMembers, type OneNodeFleet } from './support/fleet.js';
import { listCheckpoints } from './support/stored-group.js';

const tier = await realCriuTier(
  'retention of stored checkpoints (podman)',
  podmanMissing() ?? registryMissing(),
);

const INDEX = 'application/vnd.oci.image.index.v1+json';

describe.skipIf(tier.skip !== undefined)(
  "a group's stored checkpoints are kept to its keep",
  () => {
    let fleet: OneNodeFleet;
    let registry: TestRegistry;
    let scratch: string;
    beforeAll(async () => {
      registry = await startRegistry();
      fleet = await startOneNodeFleet(dirname(tier.skip === undefined ? tier.criu : ''));
      scratch = mkdtempSync(join(tmpdir(), 'cohort-retention-'));
    });
    afterAll(async () => {
      await fleet?.stop();
      await registry?.stop();
      if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
    });

    /** A running group of one member, `a`, whose policy names `store` and `keep`. */
    async function startGroup(group: string, store: string, keep: number): Promise<void> {
      await fleet.startMember(group, 'a', ['a']);
      await waitForMembers(fleet.ctl, group, ['a']);
      const set = await fleet.ctl([
        'group',
        'set',
        group,
        '--store',
        store,
        '--keep',
        String(keep),
      ]);
      expect(set.code, set.stderr).toBe(0);
    }

    /** `checkpoint GROUP` with no --store: the group's own store; it must end stored. */
    async function checkpoint(group: string): Promise<number> {
      const result = await fleet.ctl(['checkpoint', group, '--leave-running']);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      return Number(/: stored at epoch (\d+)/.exec(result.stdout)?.[1]);
    }

    const registryJson = async (path: string, accept?: string) => {
      const response = await fetch(`${registry.url}/v2/${path}`, {
        headers: accept === undefined ? {} : { accept },
      });
      return {
        status: response.status,
        body: (await response.json()) as Record<string, unknown>,
        digest: response.headers.get('docker-content-digest'),
      };
    };

    it('keep 2 in a registry: the oldest group index and member images are deleted, tags and all', async () => {
      const group = newGroup();
      const repository = `cohort/${group}`;
      await startGroup(group, `oci://${registry.host}/${repository}`, 2);
      const epochs = [await checkpoint(group)];
      const oldest = await registryJson(`${repository}/manifests/epoch-${epochs[0]}`, INDEX);
      expect(oldest.status).toBe(200);
      epochs.push(await checkpoint(group), await checkpoint(group));
      expect((await listCheckpoints(fleet, group)).map((c) => c.epoch)).toEqual([
        epochs[2],
        epochs[1],
      ]);
      const tags = (repository: string) =>
        registryJson(`${repository}/tags/list`).then((r) => (r.body.tags as string[]).sort());
      const kept = [`epoch-${epochs[1]}`, `epoch-${epochs[2]}`, 'latest'];
      expect(await tags(repository)).toEqual(kept);
      expect(await tags(`${repository}/a`)).toEqual(kept);
      // Deleted by digest, not only untagged: the registry no longer has the oldest index.
      const gone = await registryJson(`${repository}/manifests/${oldest.digest ?? ''}`, INDEX);
      expect(gone.status).toBe(404);
    });

    it('keep 1 in a dir: store: only the latest stays, and it restores with no --from', async () => {
      const group = newGroup();
      const store = join(scratch, group);
      await startGroup(group, `dir:${store}`, 1);
      await checkpoint(group);
      const latest = await checkpoint(group);
      expect(readdirSync(store).sort()).toEqual([`epoch-${latest}`, 'latest']);
      expect((await listCheckpoints(fleet, group)).map((c) => c.epoch)).toEqual([latest]);
      const restore = await fleet.ctl(['restore', group]);
      expect(restore.stderr).toBe('');
      expect(restore.code).toBe(0);
      expect(await fleet.state(`${group}-a`)).toBe('running');
    });

    it('keeps 3 when the policy does not say', async () => {
      const group = newGroup();
      const set = await fleet.ctl([
        'group',
        'set',
        group,
        '--store',
        `dir:${join(scratch, group)}`,
        '--json',
      ]);
      expect(set.code, set.stderr).toBe(0);
      expect((JSON.parse(set.stdout) as { policy: { keep: number } }).policy.keep).toBe(3);
    });
  },
);
