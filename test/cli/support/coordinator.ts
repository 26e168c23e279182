import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  startCoordinator,
  type RunningCoordinator,
  type StartCoordinatorOptions,
} from '../../../src/coordinator/start-coordinator.js';
import { silentLogger } from '../../../src/coordinator/server/logger.js';

export interface TestCoordinator {
  dir: string;
  running: RunningCoordinator;
  /** The first address it listens on (unix:///… unless told otherwise). */
  address: string;
  /** A cohort config naming that address, for --config or COHORT_CONFIG. */
  configPath: string;
  stop(): Promise<void>;
}

/** A real coordinator in this process, listening on a unix socket in a temp dir. */
export async function startTestCoordinator(
  options: Partial<StartCoordinatorOptions> & { config?: Record<string, unknown> } = {},
): Promise<TestCoordinator> {
  const dir = mkdtempSync(join(tmpdir(), 'cohort-ctl-'));
  const { config, ...rest } = options;
  const running = await startCoordinator({
    listen: [`unix://${join(dir, 'cohortd.sock')}`],
    stateDir: join(dir, 'state'),
    logger: silentLogger,
    ...rest,
  });
  const address = running.addresses[0] ?? '';
  const configPath = join(dir, 'cohort.json');
  writeFileSync(
    configPath,
    JSON.stringify(config ?? { runc: '/usr/sbin/runc', coordinator: { address } }, null, 2),
  );
  return {
    dir,
    running,
    address,
    configPath,
    async stop() {
      await running.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
