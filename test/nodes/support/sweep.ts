import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unmountUnder } from '../../helpers/mounts.js';
import { PODMAN, processesUsing } from '../../helpers/podman.js';
import { run } from '../../helpers/run.js';
import { NODE_CONTAINERS_CONF, PODMAN_DIR_FILE } from './node-podman.js';
import { killAll, processesWithEnv } from './processes.js';

/** A cluster's directory names the test process that made it: cohort-nodes-<pid in base 36>-… */
export const CLUSTER_PREFIX = `cohort-nodes-${process.pid.toString(36)}-`;

/**
 * What a test process that died without its clean-up left (vitest kills a worker that hangs):
 * its daemons, the containers and storage of its nodes, its directories. Its network goes with
 * the next createTestNetwork.
 */
export async function sweepStaleClusters(): Promise<void> {
  for (const name of readdirSync(tmpdir())) {
    const owner = /^cohort-nodes-([0-9a-z]+)-/.exec(name)?.[1];
    if (owner === undefined || existsSync(`/proc/${parseInt(owner, 36)}`)) continue;
    const dir = join(tmpdir(), name);
    killAll(processesUsing(dir));
    for (const node of readdirSync(dir, { withFileTypes: true })) {
      const file = join(dir, node.name, PODMAN_DIR_FILE);
      if (!node.isDirectory() || !existsSync(file)) continue;
      await removePodmanDir(readFileSync(file, 'utf8').trim());
    }
    await unmountUnder(dir);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function removePodmanDir(podmanDir: string): Promise<void> {
  if (!existsSync(podmanDir)) return;
  const conf = join(podmanDir, NODE_CONTAINERS_CONF);
  const env = {
    PATH: process.env.PATH ?? '',
    CONTAINERS_CONF: conf,
    CONTAINERS_STORAGE_CONF: join(podmanDir, 'storage.conf'),
  };
  await run(PODMAN, ['rm', '--all', '--force', '--time', '0'], { env });
  killAll(processesWithEnv(`CONTAINERS_CONF=${conf}`));
  killAll(processesUsing(podmanDir));
  await run(PODMAN, ['system', 'reset', '--force'], { env });
  await unmountUnder(podmanDir);
  rmSync(podmanDir, { recursive: true, force: true });
}
