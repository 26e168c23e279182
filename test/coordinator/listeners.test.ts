import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { ErrorCode } from '../../src/core/errors.js';
import { connectCoordinator } from '../../src/coordinator/client.js';
import { startCoordinator } from '../../src/coordinator/start-coordinator.js';
import { silentLogger } from '../../src/coordinator/server/logger.js';
import { runClientRound } from './support/client-round.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cohortd-listen-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('listeners', () => {
  // A stale socket left by a killed daemon is replaced: daemon-crash.test.ts restarts on one.
  test('a unix socket is 0600 in a directory that must exist; a live one is not taken over', async () => {
    const dir = tempDir();
    const socket = join(dir, 'run', 'cohortd.sock');
    // A typo in --listen must not create a tree of directories.
    await expect(
      startCoordinator({
        listen: [`unix://${socket}`],
        stateDir: join(dir, 'state'),
        logger: silentLogger,
      }),
    ).rejects.toMatchObject({
      code: ErrorCode.Config,
      message: expect.stringContaining(
        `the directory ${join(dir, 'run')} does not exist; create it or fix the path`,
      ),
    });
    mkdirSync(join(dir, 'run'), { mode: 0o700 });
    const first = await startCoordinator({
      listen: [`unix://${socket}`],
      stateDir: join(dir, 'state'),
      logger: silentLogger,
    });
    expect(statSync(socket).mode & 0o777).toBe(0o600);
    await expect(
      startCoordinator({
        listen: [`unix://${socket}`],
        stateDir: join(dir, 'state2'),
        logger: silentLogger,
      }),
    ).rejects.toMatchObject({ message: expect.stringContaining('another cohortd is listening') });
    await first.stop();
  });

  test('plaintext TCP needs insecure', async () => {
    const dir = tempDir();
    await expect(
      startCoordinator({ listen: ['127.0.0.1:0'], stateDir: join(dir, 's'), logger: silentLogger }),
    ).rejects.toMatchObject({
      code: ErrorCode.Config,
      message: expect.stringContaining('mutual TLS'),
    });
  });

  test('an unreachable coordinator is an error naming the address and the fix', async () => {
    const address = `unix://${join(tempDir(), 'nobody.sock')}`;
    await expect(connectCoordinator({ address, connectTimeoutMs: 300 })).rejects.toMatchObject({
      code: ErrorCode.Unreachable,
      message: expect.stringMatching(
        new RegExp(`coordinator at ${address} is unreachable.*coordinator\\.address`),
      ),
    });
  });

  test('/healthz and /metrics', async () => {
    const dir = tempDir();
    const socket = `unix://${join(dir, 'c.sock')}`;
    const running = await startCoordinator({
      listen: [socket],
      stateDir: join(dir, 'state'),
      metricsListen: '127.0.0.1:0',
      logger: silentLogger,
    });
    const client = await connectCoordinator({ address: socket, connectTimeoutMs: 2_000 });
    await runClientRound(client, 'm', {
      members: 2,
      kind: 'checkpoint',
      fault: 'none',
      point: 'ready',
    });
    await runClientRound(client, 'n', {
      members: 2,
      kind: 'checkpoint',
      fault: 'vote-no',
      point: 'vote',
    });
    const health = await fetch(`http://${running.metricsAddress}/healthz`);
    expect(health.status).toBe(200);
    const text = await (await fetch(`http://${running.metricsAddress}/metrics`)).text();
    expect(text).toContain('cohort_rounds_opened_total{kind="checkpoint"} 2');
    expect(text).toContain('cohort_rounds_committed_total 1');
    expect(text).toContain('cohort_rounds_aborted_total{reason="vote-failed"} 1');
    expect(text).toMatch(/cohort_barrier_wait_seconds_count\{stage="ready"\} 2/);
    expect(text).toContain('# TYPE cohort_members_connected gauge');
    client.close();
    await running.stop();
  });
});
