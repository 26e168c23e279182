import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  makeExportFifo,
  openStore,
  parseStoreLocation,
  podmanCheckpointAnnotations,
  type CheckpointStore,
} from '../../src/store/index.js';
import { createPodmanEnv, podmanMissing, type PodmanEnv } from '../helpers/podman.js';
import { registryMissing, startRegistry, type TestRegistry } from '../helpers/registry.js';
import { testDir } from './support/fixtures.js';
import { inspectContainer, readPodmanVersions } from './support/podman-versions.js';

const CRIU = '/usr/local/sbin/criu';
const missing =
  podmanMissing() ??
  registryMissing() ??
  (existsSync(CRIU) ? undefined : `${CRIU} is not installed (scripts/setup builds it)`);
const COUNTER = 'i=0; while :; do i=$((i+1)); echo $i > /tmp/count; sleep 0.05; done';

describe.skipIf(missing !== undefined)('podman restores what the store pushed', () => {
  let registry: TestRegistry;
  let podman: PodmanEnv;
  let store: CheckpointStore;
  const work = testDir('podman-store');

  beforeAll(async () => {
    registry = await startRegistry();
    // By name, so podman's runtime name is `runc`: what the image must name for restore.
    podman = await createPodmanEnv({ runtime: 'runc' });
    store = openStore(parseStoreLocation(`oci://${registry.host}/cohort/podman`), {
      env: {},
      tlsVerify: false,
    });
  });
  afterAll(async () => {
    await podman?.cleanup();
    await registry?.stop();
  });

  /** The counter a container's shell keeps in /tmp/count (a read may race its rewrite: retried). */
  async function count(name: string): Promise<number> {
    let last = '';
    for (let attempt = 0; attempt < 20; attempt += 1) {
      const result = await podman.podman(['exec', name, 'cat', '/tmp/count']);
      const value = Number(result.stdout.trim());
      if (result.exitCode === 0 && result.stdout.trim() !== '' && Number.isInteger(value))
        return value;
      last = `exit ${result.exitCode}: ${result.stderr}`;
      await sleep(50);
    }
    throw new Error(`podman exec ${name} cat /tmp/count failed: ${last}`);
  }

  it('checkpoints through a FIFO into the registry; podman pull + restore IMAGE continues the counter; --import of the fetched archive too', async () => {
    await podman.podman(['run', '-d', '--name', 'counter', podman.image, 'sh', '-c', COUNTER]);
    await sleep(500);
    const annotations = podmanCheckpointAnnotations(
      await inspectContainer(podman, 'counter'),
      await readPodmanVersions(podman, CRIU),
    );
    expect(annotations['io.podman.annotations.checkpoint.runtime.name']).toBe('runc');
    const before = await count('counter');
    expect(before).toBeGreaterThan(0);

    // podman writes the archive into the FIFO while the store gzips, hashes and pushes it.
    const fifo = await makeExportFifo(work);
    const put = store.putMember({
      group: 'web',
      epoch: 1,
      member: 'counter',
      source: fifo.source,
      annotations,
    });
    const checkpoint = await podman.podman([
      'container',
      'checkpoint',
      '--export',
      fifo.path,
      '--compress',
      'none',
      'counter',
    ]);
    if (checkpoint.exitCode !== 0)
      fifo.abort(new Error(`podman checkpoint failed: ${checkpoint.stderr}`));
    expect(checkpoint.exitCode, checkpoint.stderr).toBe(0);
    const member = await put;
    await fifo.remove();
    await store.putCheckpoint({
      group: 'web',
      epoch: 1,
      createdAt: new Date().toISOString(),
      location: '',
      members: [member],
    });

    await podman.podman(['rm', '-f', 'counter']);
    const image = `${registry.host}/cohort/podman/counter:epoch-1`;
    const pull = await podman.podman(['pull', '--tls-verify=false', image]);
    expect(pull.exitCode, pull.stderr).toBe(0);
    const restore = await podman.podman(['container', 'restore', image]);
    expect(restore.exitCode, restore.stderr).toBe(0);
    const restored = await count('counter');
    expect(restored).toBeGreaterThanOrEqual(before);
    await sleep(300);
    expect(await count('counter')).toBeGreaterThan(restored);

    // The same archive, fetched as a file, is what `podman container restore --import` takes.
    await podman.podman(['rm', '-f', 'counter']);
    const file = join(work, 'counter.tar.gz');
    await store.fetchMember(await store.get('web'), 'counter', { file });
    const imported = await podman.podman(['container', 'restore', '--import', file]);
    expect(imported.exitCode, imported.stderr).toBe(0);
    expect(await count('counter')).toBeGreaterThanOrEqual(before);
  });
});
