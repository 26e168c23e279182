import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { run } from '../helpers/runc.js';
import {
  hostFilePid,
  spawnSessionHostProcesses,
  startSessionHostProcess,
  startTestSessionHost,
} from '../helpers/session-host.js';
import { useCoordinator } from './coordinator-fixture.js';
import {
  checkpointMembers,
  containerStatus,
  FAKE_CRIU,
  FAKE_RUNC_CRIU,
  readEvents,
  startGroup,
  type GroupFixture,
} from './group-harness.js';
import { COHORT_BIN } from '../helpers/runc.js';

const coordinator = useCoordinator();
const { socket } = coordinator;
let fixture: GroupFixture | undefined;
const stops: (() => unknown)[] = [];

afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
  await fixture?.cleanup();
  fixture = undefined;
});

async function expectRunningAndThawed(group: GroupFixture): Promise<void> {
  for (const member of group.members)
    expect(await containerStatus(group, member)).toEqual({ status: 'running', freezer: 'THAWED' });
}

describe('the session host serves group members; without it they fail closed', () => {
  it("refuses a member's checkpoint before runc starts when no host runs, and says how to start one", async () => {
    fixture = await startGroup({ size: 1, socket, host: 'none' });
    const [result] = await checkpointMembers(fixture, fixture.members, { leaveRunning: true });
    expect(result?.exitCode).toBe(1);
    expect(result?.stderr).toContain("runs only through cohort's session host");
    expect(result?.stderr).toContain('"cohortd agent"');
    // CRIU never started: no action ran, nothing was frozen.
    expect(readEvents(fixture)).toEqual([]);
    await expectRunningAndThawed(fixture);
  });

  it('fails a bare runc checkpoint of a member at its first hook: CRIU aborts, the container runs on', async () => {
    fixture = await startGroup({ size: 1, socket });
    const member = fixture.members[0];
    if (member === undefined) throw new Error('no member');
    const result = await run(
      FAKE_RUNC_CRIU,
      [
        '--root',
        fixture.sandbox.root,
        '--criu',
        FAKE_CRIU,
        'checkpoint',
        '--image-path',
        member.image,
        '--leave-running',
        member.id,
      ],
      { env: { ...fixture.sandbox.env, FAKE_CRIU_LOG: fixture.eventLog } },
    );
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain('never bare runc');
    expect(readEvents(fixture).map((e) => `${e.event}:${e.code}`)).toEqual(['pre-dump:1']);
    await expectRunningAndThawed(fixture);
  });

  it('serves more members at once than it keeps channels ready for', async () => {
    fixture = await startGroup({ size: 3, socket, host: { poolSize: 1 } });
    const results = await checkpointMembers(fixture, fixture.members, { leaveRunning: true });
    for (const result of results) expect(result.exitCode, result.stderr).toBe(0);
    const history = await coordinator.client().history(fixture.group);
    expect(history.map((r) => r.outcome)).toEqual(['permanent']);
  });

  it('fails the member closed when the host dies while its hook waits at a barrier', async () => {
    // Two declared members, one checkpointed: its pre-dump hook waits when the host is killed.
    fixture = await startGroup({ size: 2, socket, host: 'none' });
    const host = await startSessionHostProcess(fixture.sandbox.stateDir);
    stops.push(() => host.kill());
    const checkpoint = checkpointMembers(fixture, fixture.members.slice(0, 1), {
      leaveRunning: true,
    });
    await new Promise((resolve) => setTimeout(resolve, 800));
    await host.kill();
    const [result] = await checkpoint;
    expect(result?.exitCode).toBe(1);
    expect(result?.stderr).toContain(`pre-dump: session ${host.pid} is gone; failing closed`);
    expect(result?.stderr).toContain(`cohort's session host (pid ${host.pid}) stopped`);
    // CRIU stopped at its first action: nothing was frozen or dumped.
    expect(readEvents(fixture).map((e) => `${e.event}:${e.code}`)).toEqual(['pre-dump:1']);
    await expectRunningAndThawed(fixture);
  });

  it('fails the front door closed when the host dies before it answers', async () => {
    fixture = await startGroup({ size: 1, socket, host: 'none' });
    const host = await startSessionHostProcess(fixture.sandbox.stateDir);
    stops.push(() => host.kill());
    // Stopped, the host reads no FIFO: the front door's call waits until the host is gone.
    process.kill(host.pid, 'SIGSTOP');
    const checkpoint = checkpointMembers(fixture, fixture.members, { leaveRunning: true });
    await new Promise((resolve) => setTimeout(resolve, 500));
    await host.kill();
    const [result] = await checkpoint;
    expect(result?.exitCode).toBe(1);
    expect(result?.stderr).toContain(`cohort's session host (pid ${host.pid}) stopped`);
    expect(result?.stderr).toContain('before runc started');
    expect(readEvents(fixture)).toEqual([]);
    await expectRunningAndThawed(fixture);
  });

  it('hands the dir to a standby host when the serving one stops', async () => {
    fixture = await startGroup({ size: 1, socket });
    const second = startTestSessionHost(fixture.sandbox.stateDir);
    stops.push(async () => (await second).stop());
    const early = await Promise.race([
      second,
      new Promise<'standby'>((resolve) => setTimeout(() => resolve('standby'), 300)),
    ]);
    expect(early).toBe('standby');
    // The fixture's host stops; the standby serves from its next look.
    await fixture.cleanupHost();
    await second;
    const [result] = await checkpointMembers(fixture, fixture.members, { leaveRunning: true });
    expect(result?.exitCode, result?.stderr).toBe(0);
  });

  it('serves from exactly one of several hosts started at once, and from another when it dies', async () => {
    fixture = await startGroup({ size: 1, socket, host: 'none' });
    const { stateDir } = fixture.sandbox;
    const hosts = spawnSessionHostProcesses(stateDir, 4);
    stops.push(async () => {
      for (const host of hosts) await host.kill();
    });
    const servingOne = async (except?: number) => {
      for (let waited = 0; waited < 10_000; waited += 100) {
        const pid = hostFilePid(stateDir, 'pid');
        if (pid !== except && hosts.some((host) => host.pid === pid)) return pid;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error('no host process serves within 10 s');
    };
    const first = await servingOne();
    // Past a few ticks: a second serving host would remake the channels and name itself.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect([hostFilePid(stateDir, 'pid'), hostFilePid(stateDir, 'owner')]).toEqual([first, first]);
    const [before] = await checkpointMembers(fixture, fixture.members, { leaveRunning: true });
    expect(before?.exitCode, before?.stderr).toBe(0);

    await hosts.find((host) => host.pid === first)?.kill();
    const second = await servingOne(first);
    expect(hostFilePid(stateDir, 'owner')).toBe(second);
    const [after] = await checkpointMembers(fixture, fixture.members, { leaveRunning: true });
    expect(after?.exitCode, after?.stderr).toBe(0);
    await expectRunningAndThawed(fixture);
  });

  it.each([5, 8])(
    "gives runc the caller's --status-fd %i at its number, and none of the host's FIFOs",
    async (statusFd) => {
      fixture = await startGroup({ size: 1, socket });
      const member = fixture.members[0];
      if (member === undefined) throw new Error('no member');
      const statusPath = join(fixture.sandbox.dir, 'status-fd');
      const fdsPath = join(fixture.sandbox.dir, 'runc-fds');
      const status = openSync(statusPath, 'w');
      const exitCode = await new Promise<number | null>((resolve) => {
        const child = spawn(
          COHORT_BIN,
          [
            '--root',
            fixture?.sandbox.root ?? '',
            '--criu',
            FAKE_CRIU,
            'checkpoint',
            '--status-fd',
            String(statusFd),
            '--image-path',
            member.image,
            '--leave-running',
            member.id,
          ],
          {
            env: {
              ...fixture?.sandbox.env,
              COHORT_CONFIG: fixture?.fakeCriuConfig,
              FAKE_RUNC_FDS: fdsPath,
            },
            stdio: [
              'ignore',
              'ignore',
              'inherit',
              ...Array<'ignore'>(statusFd - 3).fill('ignore'),
              status,
            ],
          },
        );
        child.once('exit', resolve);
      });
      closeSync(status);
      expect(exitCode).toBe(0);
      const fds = new Map(
        readFileSync(fdsPath, 'utf8')
          .trim()
          .split('\n')
          .map((line) => [Number(line.split(' ')[0]), line.slice(line.indexOf(' ') + 1)]),
      );
      expect(fds.get(statusFd)).toBe(statusPath);
      const hostDir = join(fixture.sandbox.stateDir, 'host');
      // runc's stderr (fd 2) goes to the channel, kept for the error message; no other fd does.
      expect(fds.get(2)?.startsWith(hostDir)).toBe(true);
      const leaked = [...fds].filter(([fd, target]) => fd > 2 && target.startsWith(hostDir));
      expect(leaked).toEqual([]);
      expect(existsSync(join(member.image, 'cohort-manifest.json'))).toBe(true);
    },
  );
});
