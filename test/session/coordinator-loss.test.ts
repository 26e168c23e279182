import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { connectCoordinator } from '../../src/coordinator/client.js';
import { REPO_ROOT } from '../helpers/runc.js';
import {
  checkpointMembers,
  containerStatus,
  startGroup,
  type GroupFixture,
} from './group-harness.js';

const COHORTD = join(REPO_ROOT, 'bin', 'cohortd');
let fixture: GroupFixture | undefined;
let daemon: ChildProcess | undefined;
const dirs: string[] = [];

afterEach(async () => {
  daemon?.kill('SIGKILL');
  await fixture?.cleanup();
  fixture = undefined;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A real cohortd in its own process, so the test can kill -9 it. */
async function startDaemon(socket: string, stateDir: string): Promise<ChildProcess> {
  const child = spawn(
    COHORTD,
    ['--listen', `unix://${socket}`, '--state-dir', stateDir, '--log-level', 'error'],
    {
      stdio: 'ignore',
    },
  );
  for (let i = 0; i < 200 && !existsSync(socket); i += 1)
    await new Promise((r) => setTimeout(r, 25));
  return child;
}

async function waitForStage(
  socket: string,
  group: string,
  members: string[],
  stage: string,
): Promise<void> {
  const client = await connectCoordinator({ address: `unix://${socket}`, connectTimeoutMs: 2_000 });
  try {
    for (let i = 0; i < 400; i += 1) {
      // The group is unknown until its first member joins.
      const status = await client.status(group).catch(() => undefined);
      const round = status?.groups.find((g) => g.name === group)?.openRound;
      const at = round?.members.filter((m) => members.includes(m.name) && m.stage === stage) ?? [];
      if (at.length === members.length) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`members ${members.join(', ')} never reached ${stage}`);
  } finally {
    client.close();
  }
}

describe('losing the coordinator in the middle of a round', () => {
  it('aborts every member when cohortd is killed before a decision; containers keep running', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cohort-loss-'));
    dirs.push(dir);
    const socket = join(dir, 'cohortd.sock');
    daemon = await startDaemon(socket, join(dir, 'state'));
    fixture = await startGroup({ size: 3, socket, reconnectWindowMs: 1_000 });
    // m2's CRIU is slow to finish its images, so m0 and m1 wait for a decision that cannot come yet.
    const checkpoint = checkpointMembers(fixture, fixture.members, {
      leaveRunning: true,
      faults: { m2: { FAKE_CRIU_DELAY: 'post-dump:3000' } },
    });
    await waitForStage(socket, fixture.group, ['m0', 'm1'], 'voted');
    daemon.kill('SIGKILL');
    const results = await checkpoint;

    for (const result of results) expect(result.exitCode).not.toBe(0);
    for (const member of fixture.members) {
      expect(await containerStatus(fixture, member)).toEqual({
        status: 'running',
        freezer: 'THAWED',
      });
      expect(existsSync(join(member.image, 'cohort-manifest.json'))).toBe(false);
    }

    // A restarted coordinator settles the round it left open: aborted, never permanent.
    daemon = await startDaemon(socket, join(dir, 'state'));
    const client = await connectCoordinator({
      address: `unix://${socket}`,
      connectTimeoutMs: 2_000,
    });
    const history = await client.history(fixture.group);
    client.close();
    expect(history.at(-1)?.outcome).toBe('aborted');
  });
});
