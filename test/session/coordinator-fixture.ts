import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { connectCoordinator, type CoordinatorClient } from '../../src/coordinator/client.js';
import {
  startCoordinator,
  type RunningCoordinator,
} from '../../src/coordinator/start-coordinator.js';
import { silentLogger } from '../../src/coordinator/server/logger.js';

/** Short deadlines, so a missing member or a lost session settles within a test's time. */
const TEST_DEADLINES = {
  joinMs: 3_000,
  readyMs: 5_000,
  freezeMs: 5_000,
  dumpMs: 10_000,
  restoreMs: 10_000,
  resumeMs: 3_000,
  heartbeatTimeoutMs: 2_000,
};

export interface CoordinatorFixture {
  /** The coordinator's unix socket. */
  socket: string;
  /** A directory for the test file's own files, removed after all its tests. */
  dir: string;
  client(): CoordinatorClient;
}

/** A real coordinator on a unix socket for one test file, started before and stopped after it. */
export function useCoordinator(): CoordinatorFixture {
  const dir = mkdtempSync(join(tmpdir(), 'cohort-session-'));
  const socket = join(dir, 'cohortd.sock');
  let coordinator: RunningCoordinator | undefined;
  let client: CoordinatorClient | undefined;
  beforeAll(async () => {
    coordinator = await startCoordinator({
      listen: [`unix://${socket}`],
      stateDir: join(dir, 'cohortd'),
      deadlines: TEST_DEADLINES,
      logger: silentLogger,
    });
    client = await connectCoordinator({ address: `unix://${socket}`, connectTimeoutMs: 2_000 });
  });
  afterAll(async () => {
    client?.close();
    await coordinator?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    socket,
    dir,
    client: () => {
      if (client === undefined) throw new Error('the coordinator is not started yet');
      return client;
    },
  };
}
