import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/errors.js';
import { openStore, parseStoreLocation, type CheckpointStore } from '../../src/store/index.js';
import {
  blobDataPath,
  freePort,
  registryMissing,
  startRegistry,
  type TestRegistry,
} from '../helpers/registry.js';
import { run } from '../helpers/run.js';
import {
  expectFetches,
  expectStoreError,
  makeCheckpointFiles,
  runcSource,
  storeCheckpoint,
  testDir,
} from './support/fixtures.js';
import { storeContract } from './support/store-contract.js';

const SKOPEO = '/usr/bin/skopeo';
const missing = registryMissing();

describe.skipIf(missing !== undefined)(
  'oci:// store on a real registry (distribution 2.8, plain HTTP on loopback)',
  () => {
    let registry: TestRegistry;
    const open = (repository: string): CheckpointStore =>
      openStore(parseStoreLocation(`oci://${registry.host}/${repository}`), {
        env: {},
        tlsVerify: false,
      });

    beforeAll(async () => {
      registry = await startRegistry();
    });
    afterAll(async () => {
      await registry?.stop();
    });

    storeContract({
      open: (name) => open(`cohort/${name}`),
      reopen: (store) => openStore(store.location, { env: {}, tlsVerify: false }),
      corrupt(_store, member) {
        const path = blobDataPath(registry, member.digest);
        const data = readFileSync(path);
        data[data.length - 100] = (data[data.length - 100] ?? 0) ^ 0xff;
        writeFileSync(path, data);
      },
    });

    it('pushes images skopeo reads: member images with the annotations, and the group index', async () => {
      const store = open('cohort/skopeo');
      const files = makeCheckpointFiles('db');
      const annotations = {
        'io.podman.annotations.checkpoint.runtime.name': 'cohort',
        'io.kubernetes.cri-o.annotations.checkpoint.name': 'db',
      };
      const member = await store.putMember({
        group: 'web',
        epoch: 1,
        member: 'db',
        source: runcSource(files, 'db'),
        annotations,
      });
      // Before the commit no tag names the new image.
      const early = await run(SKOPEO, [
        'inspect',
        '--raw',
        '--tls-verify=false',
        `docker://${registry.host}/cohort/skopeo/db:epoch-1`,
      ]);
      expect(early.exitCode).not.toBe(0);
      await store.putCheckpoint({
        group: 'web',
        epoch: 1,
        createdAt: new Date().toISOString(),
        location: '',
        members: [member],
      });
      for (const tag of ['epoch-1', 'latest']) {
        const raw = await run(SKOPEO, [
          'inspect',
          '--raw',
          '--tls-verify=false',
          `docker://${registry.host}/cohort/skopeo/db:${tag}`,
        ]);
        expect(raw.exitCode, raw.stderr).toBe(0);
        const manifest = JSON.parse(raw.stdout) as {
          mediaType: string;
          layers: { digest: string; mediaType: string }[];
          annotations: Record<string, string>;
        };
        expect(manifest.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
        expect(manifest.layers).toEqual([
          expect.objectContaining({
            digest: member.digest,
            mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
          }),
        ]);
        expect(manifest.annotations).toMatchObject({
          ...annotations,
          'io.cohort.group': 'web',
          'io.cohort.member': 'db',
          'io.cohort.epoch': '1',
        });
      }
      const inspected = await run(SKOPEO, [
        'inspect',
        '--tls-verify=false',
        `docker://${registry.host}/cohort/skopeo/db:epoch-1`,
      ]);
      expect(inspected.exitCode, inspected.stderr).toBe(0);
      expect(JSON.parse(inspected.stdout)).toMatchObject({
        Digest: member.reference.split('@')[1],
        Layers: [member.digest],
        Os: 'linux',
      });
      const index = await run(SKOPEO, [
        'inspect',
        '--raw',
        '--tls-verify=false',
        `docker://${registry.host}/cohort/skopeo:epoch-1`,
      ]);
      expect(index.exitCode, index.stderr).toBe(0);
      expect(JSON.parse(index.stdout)).toMatchObject({
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: [
          {
            digest: member.reference.split('@')[1],
            annotations: { 'io.cohort.member': 'db', 'io.cohort.archive.digest': member.digest },
          },
        ],
        annotations: { 'io.cohort.group': 'web', 'io.cohort.epoch': '1' },
      });
    });

    it('deletes pruned epochs from the registry (manifest delete by digest)', async () => {
      const store = open('cohort/prune-skopeo');
      for (const epoch of [1, 2]) await storeCheckpoint(store, 'web', epoch, ['db']);
      expect(await store.prune('web', 1)).toEqual([1]);
      for (const ref of ['cohort/prune-skopeo:epoch-1', 'cohort/prune-skopeo/db:epoch-1']) {
        const gone = await run(SKOPEO, [
          'inspect',
          '--raw',
          '--tls-verify=false',
          `docker://${registry.host}/${ref}`,
        ]);
        expect(gone.exitCode, ref).not.toBe(0);
        expect(gone.stderr).toMatch(/manifest unknown/i);
      }
      const kept = await run(SKOPEO, [
        'inspect',
        '--raw',
        '--tls-verify=false',
        `docker://${registry.host}/cohort/prune-skopeo/db:latest`,
      ]);
      expect(kept.exitCode, kept.stderr).toBe(0);
    });

    it('keeps the previous checkpoint intact when an upload is killed halfway, and a retry stores the epoch', async () => {
      const store = open('cohort/killed');
      const first = await storeCheckpoint(store, 'web', 1, ['db']);
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          join(import.meta.dirname, 'support', 'put-member-child.ts'),
          store.location.text,
          '2',
          '64',
          testDir('child'),
        ],
        {
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      const uploads = join(
        registry.dataDir,
        'docker/registry/v2/repositories/cohort/killed/db/_uploads',
      );
      // Kill once the registry holds part of the archive (several chunks, not all of it).
      for (let i = 0; i < 600 && uploadedBytes(uploads) < 12 * 1024 * 1024; i += 1) await sleep(20);
      expect(uploadedBytes(uploads)).toBeGreaterThan(0);
      child.kill('SIGKILL');
      await exited;
      const listed = await store.list('web');
      expect(listed.map((r) => r.epoch)).toEqual([1]);
      await expectFetches(store, listed[0]!, 'db', first.pages.get('db')!);
      const retry = await storeCheckpoint(store, 'web', 2, ['db']);
      await expectFetches(store, await store.get('web'), 'db', retry.pages.get('db')!);
    });

    it('fails with StoreUnreachable when the registry is down, and the checkpoint is there once it is back', async () => {
      let own = await startRegistry();
      const location = parseStoreLocation(`oci://${own.host}/cohort/down`);
      const store = openStore(location, { env: {}, tlsVerify: false });
      const first = await storeCheckpoint(store, 'web', 1, ['db']);
      const { dataDir, port } = { dataDir: own.dataDir, port: own.port };
      await own.stop({ keepData: true });
      const files = makeCheckpointFiles('db');
      const error = await expectStoreError(
        () =>
          store.putMember({
            group: 'web',
            epoch: 2,
            member: 'db',
            source: runcSource(files, 'db'),
          }),
        ErrorCode.StoreUnreachable,
      );
      expect(error.message).toContain(location.text);
      expect(error.message).toContain('ECONNREFUSED');
      expect(error.message).toContain(`check that the registry runs at ${own.host}`);
      await expectStoreError(() => store.list('web'), ErrorCode.StoreUnreachable);
      own = await startRegistry({ reuse: { dataDir, port } });
      try {
        const again = openStore(location, { env: {}, tlsVerify: false });
        await expectFetches(again, await again.get('web'), 'db', first.pages.get('db')!);
      } finally {
        await own.stop();
      }
    });

    it('refuses plain HTTP unless told --store-tls-verify=false', async () => {
      const store = openStore(parseStoreLocation(`oci://${registry.host}/cohort/tls`), { env: {} });
      const error = await expectStoreError(() => store.list('web'), ErrorCode.StoreUnreachable);
      expect(error.message).toContain('--store-tls-verify=false');
    });

    it('names a port nobody listens on', async () => {
      const port = await freePort();
      const store = openStore(parseStoreLocation(`oci://127.0.0.1:${port}/cohort/none`), {
        env: {},
        tlsVerify: false,
      });
      const error = await expectStoreError(() => store.get('web'), ErrorCode.StoreUnreachable);
      expect(error.message).toContain(`oci://127.0.0.1:${port}/cohort/none`);
    });
  },
);

function uploadedBytes(uploads: string): number {
  if (!existsSync(uploads)) return 0;
  let total = 0;
  for (const id of readdirSync(uploads)) {
    const data = join(uploads, id, 'data');
    if (existsSync(data)) total += statSync(data).size;
  }
  return total;
}
