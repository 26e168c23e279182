// What the CRIU benchmarks run against, all in this process as a node's cohortd would run it: a
// coordinator on a unix socket, and the session host for the sandbox's stateDir.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectCoordinator, type CoordinatorClient } from '../../src/coordinator/client.js';
import { startCoordinator } from '../../src/coordinator/start-coordinator.js';
import { silentLogger } from '../../src/coordinator/server/logger.js';
import { probeCriu } from '../../src/criu/probe.js';
import type { SessionHost } from '../../src/runtime/host/session-host.js';
import { createRuntimeSandbox, RUNTIME_ENTRY, type RuntimeSandbox } from '../helpers/runc.js';
import { startTestSessionHost } from '../helpers/session-host.js';

export interface CriuRig {
  criu: { path: string; version: string };
  sandbox: RuntimeSandbox;
  host: SessionHost;
  client: CoordinatorClient;
  stop(): Promise<void>;
}

/** Deadlines for 2 loaded cores: a slow dump must be measured, not aborted. */
const DEADLINES = { joinMs: 30_000, readyMs: 30_000, dumpMs: 60_000, restoreMs: 60_000 };

/** The rig, or why it cannot run here (no usable CRIU: the benchmark then skips). */
export async function startCriuRig(): Promise<CriuRig | { skip: string[] }> {
  const probe = await probeCriu();
  if (probe.usable === undefined)
    return { skip: ['no usable CRIU (>= 3.19 and "criu check" passing):', ...probe.rejected] };
  if (!existsSync(RUNTIME_ENTRY))
    throw new Error(`${RUNTIME_ENTRY} is missing: run "npm run build" first`);
  const dir = mkdtempSync(join(tmpdir(), 'cohort-criu-bench-'));
  const socket = join(dir, 'cohortd.sock');
  const coordinator = await startCoordinator({
    listen: [`unix://${socket}`],
    stateDir: join(dir, 'cohortd'),
    deadlines: DEADLINES,
    logger: silentLogger,
  });
  const sandbox = createRuntimeSandbox({
    config: { coordinator: { address: `unix://${socket}`, connectTimeoutMs: 5_000 } },
  });
  const host = await startTestSessionHost(sandbox.stateDir);
  const client = await connectCoordinator({ address: `unix://${socket}`, connectTimeoutMs: 5_000 });
  return {
    criu: probe.usable,
    sandbox,
    host,
    client,
    async stop() {
      client.close();
      host.stop();
      await sandbox.cleanup();
      await coordinator.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
