import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import {
  makeConfigDump,
  makeRuncArchiveSource,
  openStore,
  parseStoreLocation,
} from '../../src/store/index.js';
import { createRuntimeSandbox, RUNC, type RuntimeSandbox } from '../helpers/runc.js';
import { realCriuTier } from '../criu/support/criu-tier.js';

const tier = await realCriuTier('the store tier with bare runc and real CRIU');
const COUNTER = 'i=0; while :; do i=$((i+1)); echo $i > /tmp/count; sleep 0.05; done';

describe.skipIf(tier.skip !== undefined)(
  'bare runc restores from an archive fetched out of the store',
  () => {
    const criu = tier.skip === undefined ? tier.criu : '';
    let sandbox: RuntimeSandbox | undefined;

    afterAll(async () => {
      await sandbox?.cleanup();
    });

    it('packs the image dir, spec and a synthesized config.dump; the extracted checkpoint/ restores', async () => {
      sandbox = createRuntimeSandbox();
      const id = sandbox.id('store');
      const bundle = sandbox.bundle({ args: ['sh', '-c', COUNTER] });
      // The shell truncates /tmp/count before each write: an empty read is retried.
      const count = async (): Promise<number> => {
        for (let attempt = 0; attempt < 20; attempt += 1) {
          const text = (await sandbox!.runc(['exec', id, 'cat', '/tmp/count'])).stdout.trim();
          if (text !== '') return Number(text);
          await sleep(50);
        }
        throw new Error(`runc exec ${id} cat /tmp/count printed nothing`);
      };
      // stdio on /dev/null: CRIU cannot dump a container holding a host file it cannot see.
      const runc = spawn(
        RUNC,
        ['--root', sandbox.root, 'run', '--detach', '--bundle', bundle, id],
        {
          stdio: 'ignore',
        },
      );
      expect(await new Promise((resolve) => runc.once('exit', resolve))).toBe(0);
      await sleep(400);
      const image = join(sandbox.dir, 'image');
      const before = await count();
      const dumped = await sandbox.runc(['--criu', criu, 'checkpoint', '--image-path', image, id]);
      expect(dumped.exitCode, dumped.stderr).toBe(0);

      const store = openStore(parseStoreLocation(`dir:${join(sandbox.dir, 'store')}`), { env: {} });
      const member = await store.putMember({
        group: 'web',
        epoch: 1,
        member: 'counter',
        source: makeRuncArchiveSource({
          imageDir: image,
          specFile: join(bundle, 'config.json'),
          configDump: makeConfigDump({ id, checkpointedTime: new Date() }),
        }),
      });
      await store.putCheckpoint({
        group: 'web',
        epoch: 1,
        createdAt: new Date().toISOString(),
        location: '',
        members: [member],
      });
      rmSync(image, { recursive: true });
      await sandbox.runc(['delete', '--force', id]);

      const fetched = join(sandbox.dir, 'fetched');
      await store.fetchMember(await store.get('web'), 'counter', { dir: fetched });
      const restored = await sandbox.runc([
        '--criu',
        criu,
        'restore',
        '--detach',
        '--image-path',
        join(fetched, 'checkpoint'),
        '--bundle',
        bundle,
        id,
      ]);
      expect(restored.exitCode, restored.stderr).toBe(0);
      const after = await count();
      expect(after).toBeGreaterThanOrEqual(before);
      await sleep(300);
      expect(await count()).toBeGreaterThan(after);
    });
  },
);
