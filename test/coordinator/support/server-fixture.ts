import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectCoordinator, type CoordinatorClient } from '../../../src/coordinator/client.js';
import {
  startCoordinator,
  type RunningCoordinator,
  type StartCoordinatorOptions,
} from '../../../src/coordinator/start-coordinator.js';
import { createLogger } from '../../../src/coordinator/server/logger.js';
import type { Deadlines } from '../../../src/coordinator/types.js';

export type Transport = 'tcp' | 'unix';

export interface TestCoordinator {
  running: RunningCoordinator;
  address: string;
  dir: string;
  stateDir: string;
  logs: Record<string, unknown>[];
  client(): Promise<CoordinatorClient>;
  close(): Promise<void>;
}

/** A real coordinator on 127.0.0.1:0 (plaintext, --insecure) or a unix socket in a temp dir. */
export async function startTestCoordinator(
  transport: Transport,
  extra: Partial<StartCoordinatorOptions> & { deadlines?: Partial<Deadlines> } = {},
): Promise<TestCoordinator> {
  const dir = mkdtempSync(join(tmpdir(), 'cohortd-test-'));
  mkdirSync(join(dir, 'sock'));
  const stateDir = extra.stateDir ?? join(dir, 'state');
  const logs: Record<string, unknown>[] = [];
  const listen =
    transport === 'tcp' ? ['127.0.0.1:0'] : [`unix://${join(dir, 'sock', 'cohortd.sock')}`];
  const running = await startCoordinator({
    listen,
    stateDir,
    insecure: transport === 'tcp',
    logger: createLogger(
      { write: (line) => void logs.push(JSON.parse(line) as Record<string, unknown>) },
      'debug',
    ),
    ...extra,
  });
  const address = running.addresses[0] ?? '';
  const clients: CoordinatorClient[] = [];
  return {
    running,
    address,
    dir,
    stateDir,
    logs,
    async client() {
      const client = await connectCoordinator({
        address,
        insecure: true,
        connectTimeoutMs: 5_000,
        reconnectWindowMs: 5_000,
      });
      clients.push(client);
      return client;
    },
    async close() {
      for (const client of clients) client.close();
      await running.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
