import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freezerState } from '../helpers/cgroup.js';
import { cohortDefaultStateDir } from '../helpers/cohort-state.js';
import {
  createPodmanEnv,
  PODMAN,
  PODMAN_RUNC_ROOT,
  podmanMissing,
  type PodmanEnv,
} from '../helpers/podman.js';
import { converseAndExit, killPtySessions, startPty } from '../helpers/pty.js';
import { readSpec } from '../helpers/rootfs.js';
import { COHORT_BIN, containerState, RUNC, uniqueId } from '../helpers/runc.js';

const missing = podmanMissing();
if (missing !== undefined) console.log(`skipping the podman tier: ${missing}`);

/** A container that stops promptly on SIGTERM (pid 1 has no default action for it). */
const SERVICE = ['sh', '-c', 'trap "exit 0" TERM; while :; do sleep 0.1; done'];

describe.skipIf(missing !== undefined)('podman --runtime bin/cohort', () => {
  let env: PodmanEnv;
  beforeAll(async () => {
    env = await createPodmanEnv();
  });
  afterAll(async () => {
    killPtySessions();
    await env?.cleanup();
  });

  async function inspect(name: string, format: string): Promise<string> {
    const result = await env.podman(['inspect', '--format', format, name]);
    expect(result.stderr).toBe('');
    return result.stdout.trim();
  }

  it('run -d, exec, exec -it, pause/unpause, stop, rm', async () => {
    const name = uniqueId('pod');
    const started = await env.podman([
      'run',
      '-d',
      '--network',
      'none',
      '--annotation',
      'io.cohort.group=svc',
      '--annotation',
      'io.cohort.group.size=1',
      '--name',
      name,
      env.image,
      ...SERVICE,
    ]);
    expect(started).toMatchObject({ exitCode: 0, stderr: '' });
    const id = started.stdout.trim();
    expect(await inspect(name, '{{.State.Status}}')).toBe('running');
    expect(await inspect(name, '{{.OCIRuntime}}')).toBe(COHORT_BIN);

    // cohort prepared the bundle podman handed it: a group member's gets the action script.
    const bundle = await env.bundleOf(name);
    const criuConfig = readSpec(bundle).annotations?.['org.criu.config'] ?? '';
    expect(criuConfig).toBe(
      join(
        cohortDefaultStateDir(),
        'containers',
        PODMAN_RUNC_ROOT.replaceAll('/', '_'),
        id,
        'criu.conf',
      ),
    );
    expect(readFileSync(criuConfig, 'utf8')).toMatch(/^action-script=\/.*criu-action$/m);
    expect((await containerState(PODMAN_RUNC_ROOT, id))?.status).toBe('running');

    const exec = await env.podman([
      'exec',
      name,
      'sh',
      '-c',
      'echo "in $(hostname)"; echo err >&2; exit 5',
    ]);
    expect(exec).toMatchObject({ exitCode: 5, stdout: `in ${id.slice(0, 12)}\n`, stderr: 'err\n' });

    const session = startPty(PODMAN, ['--runtime', env.runtime, 'exec', '-it', name, 'sh'], {
      env: env.env,
    });
    expect(await converseAndExit(session, 3)).toBe(3);

    const pid = Number(await inspect(name, '{{.State.Pid}}'));
    expect((await env.podman(['pause', name])).exitCode).toBe(0);
    expect(await inspect(name, '{{.State.Status}}')).toBe('paused');
    expect(freezerState(pid)).toBe('FROZEN');
    expect((await env.podman(['unpause', name])).exitCode).toBe(0);
    expect(await inspect(name, '{{.State.Status}}')).toBe('running');
    expect(freezerState(pid)).toBe('THAWED');

    const stopped = await env.podman(['stop', '--time', '30', name]);
    expect(stopped).toMatchObject({ exitCode: 0, stdout: `${name}\n` });
    expect(await inspect(name, '{{.State.Status}}')).toBe('exited');
    // Exited through its TERM trap, not killed after the grace period.
    expect(await inspect(name, '{{.State.ExitCode}}')).toBe('0');

    expect((await env.podman(['rm', name])).exitCode).toBe(0);
    expect((await env.podman(['ps', '-aq'])).stdout).toBe('');
    expect(await containerState(PODMAN_RUNC_ROOT, id)).toBeUndefined();
  });

  it('run --rm gives the output and exit code, and leaves nothing behind', async () => {
    const result = await env.podman([
      'run',
      '--rm',
      '--network',
      'none',
      env.image,
      'sh',
      '-c',
      'echo hello; ulimit -n; exit 6',
    ]);
    // default_ulimits nofile=20000 from this env's containers.conf reaches the container.
    expect(result).toMatchObject({ exitCode: 6, stdout: 'hello\n20000\n', stderr: '' });
    expect((await env.podman(['ps', '-aq'])).stdout).toBe('');
  });

  it('run -it under a terminal', async () => {
    const session = startPty(
      PODMAN,
      ['--runtime', env.runtime, 'run', '--rm', '-it', '--network', 'none', env.image, 'sh'],
      { env: env.env },
    );
    expect(await converseAndExit(session, 7)).toBe(7);
  });

  it.each([false, true])(
    "runc's error reaches the podman user unchanged (runtime_supports_json: %s)",
    async (json) => {
      const jsonEnv = json ? await createPodmanEnv({ runtimeSupportsJson: true }) : env;
      try {
        const results = [];
        for (const runtime of [jsonEnv.runtime, RUNC]) {
          // The last --runtime wins: the same podman, once with each runtime.
          const result = await jsonEnv.podman([
            '--runtime',
            runtime,
            'run',
            '--rm',
            jsonEnv.image,
            '/no/such/binary',
          ]);
          results.push({ ...result, stderr: result.stderr.replaceAll(runtime, '<runtime>') });
        }
        expect(results[1]?.exitCode).toBe(127);
        expect(results[1]?.stderr).toContain('stat /no/such/binary: no such file or directory');
        if (json) {
          expect(results[0]).toEqual(results[1]);
        } else {
          // podman lists runc in runtime_supports_json by default, not cohort: text vs JSON log, same error.
          expect(results[0]?.exitCode).toBe(127);
          expect(results[0]?.stderr).toContain('stat /no/such/binary: no such file or directory');
        }
        const ok = await jsonEnv.podman(['run', '--rm', jsonEnv.image, 'sh', '-c', 'echo fine']);
        expect(ok).toMatchObject({ exitCode: 0, stdout: 'fine\n', stderr: '' });
      } finally {
        if (json) await jsonEnv.cleanup();
      }
    },
  );
});
