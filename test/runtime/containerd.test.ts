import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freezerState } from '../helpers/cgroup.js';
import {
  containerdMissing,
  shimPids,
  startContainerd,
  type Containerd,
} from '../helpers/containerd.js';
import { readSpec } from '../helpers/rootfs.js';
import { COHORT_BIN, containerState, uniqueId, waitForStatus } from '../helpers/runc.js';

const missing = containerdMissing();
if (missing !== undefined) console.log(`skipping the containerd tier: ${missing}`);

/** A container that stops promptly on SIGTERM (pid 1 has no default action for it). */
const SERVICE = ['sh', '-c', 'trap "exit 0" TERM; while :; do sleep 0.1; done'];

describe.skipIf(missing !== undefined)('ctr run --runc-binary bin/cohort', () => {
  let containerd: Containerd;
  beforeAll(async () => {
    containerd = await startContainerd();
  });
  afterAll(async () => {
    await containerd?.stop();
    expect(shimPids(containerd.address)).toEqual([]);
  });

  // Every container here runs through cohort, from the busybox image, as a member of a group.
  function ctrRun(mode: '-d' | '--rm', id: string, command: readonly string[]) {
    return containerd.ctr([
      'run',
      mode,
      '--annotation',
      'io.cohort.group=svc',
      '--annotation',
      'io.cohort.group.size=1',
      '--runc-binary',
      COHORT_BIN,
      containerd.image,
      id,
      ...command,
    ]);
  }

  async function taskStatus(id: string): Promise<string | undefined> {
    const listed = await containerd.ctr(['task', 'ls']);
    const line = listed.stdout.split('\n').find((l) => l.startsWith(`${id} `));
    return line?.trim().split(/\s+/)[2];
  }

  it('run -d, task exec, pause/resume, kill, delete', async () => {
    const id = uniqueId('ctr');
    const started = await ctrRun('-d', id, SERVICE);
    expect(started).toMatchObject({ exitCode: 0, stdout: '', stderr: '' });
    expect(await taskStatus(id)).toBe('RUNNING');
    expect((await containerState(containerd.runcRoot, id))?.status).toBe('running');

    // cohort prepared the member's bundle the shim handed it, with the config containerd runs under.
    const bundle = containerd.bundleOf(id);
    const criuConfig = readSpec(bundle).annotations?.['org.criu.config'];
    expect(criuConfig).toBe(
      join(
        containerd.cohortStateDir,
        'containers',
        containerd.runcRoot.replaceAll('/', '_'),
        id,
        'criu.conf',
      ),
    );
    expect(readFileSync(criuConfig as string, 'utf8')).toMatch(/^action-script=\/.*criu-action$/m);

    const exec = await containerd.ctr([
      'task',
      'exec',
      '--exec-id',
      'probe',
      id,
      'sh',
      '-c',
      'echo "in $(hostname)"; echo err >&2; exit 3',
    ]);
    expect(exec).toMatchObject({
      exitCode: 3,
      stdout: expect.stringMatching(/^in /),
      stderr: 'err\n',
    });

    const pid = (await containerState(containerd.runcRoot, id))?.pid as number;
    expect((await containerd.ctr(['task', 'pause', id])).exitCode).toBe(0);
    expect(await taskStatus(id)).toBe('PAUSED');
    expect(freezerState(pid)).toBe('FROZEN');
    expect((await containerd.ctr(['task', 'resume', id])).exitCode).toBe(0);
    expect(await taskStatus(id)).toBe('RUNNING');
    expect(freezerState(pid)).toBe('THAWED');

    const ps = await containerd.ctr(['task', 'ps', id]);
    expect(ps.stdout).toContain(String(pid));

    expect((await containerd.ctr(['task', 'kill', id])).exitCode).toBe(0);
    await waitForStatus(containerd.runcRoot, id, 'stopped');
    expect(await taskStatus(id)).toBe('STOPPED');
    expect((await containerd.ctr(['task', 'rm', id])).exitCode).toBe(0);
    expect((await containerd.ctr(['containers', 'rm', id])).exitCode).toBe(0);
    expect(await containerState(containerd.runcRoot, id)).toBeUndefined();
  });

  it('run --rm gives the output and exit code, and leaves no container', async () => {
    const id = uniqueId('ctr');
    const result = await ctrRun('--rm', id, ['sh', '-c', 'echo hello; echo err >&2; exit 4']);
    expect(result).toMatchObject({ exitCode: 4, stdout: 'hello\n', stderr: 'err\n' });
    expect((await containerd.ctr(['containers', 'ls', '-q'])).stdout).not.toContain(id);
    expect(await containerState(containerd.runcRoot, id)).toBeUndefined();
  });

  it('task kill -s SIGKILL of a container that ignores SIGTERM', async () => {
    const id = uniqueId('ctr');
    const started = await ctrRun('-d', id, ['sleep', '1000']);
    expect(started.exitCode).toBe(0);
    expect((await containerd.ctr(['task', 'kill', '-s', 'SIGKILL', id])).exitCode).toBe(0);
    await waitForStatus(containerd.runcRoot, id, 'stopped');
    expect((await containerd.ctr(['task', 'rm', id])).exitCode).toBe(0);
    expect((await containerd.ctr(['containers', 'rm', id])).exitCode).toBe(0);
  });
});
