import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'smol-toml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeCriu } from '../../src/criu/probe.js';
import { podmanMissing } from '../helpers/podman.js';
import { RUNTIME_ENTRY, uniqueId } from '../helpers/runc.js';
import { createCohortPodman, DROP_IN, type CohortPodman } from '../cli/support/cohort-podman.js';

describe('config/podman/containers.conf.d/cohort.conf', () => {
  const conf = parse(readFileSync(DROP_IN, 'utf8')) as {
    engine: { runtimes: Record<string, string[]>; runtime_supports_json: string[] };
  };

  it('registers cohort where npm install -g puts it, and says cohort speaks runc JSON logs', () => {
    expect(conf.engine.runtimes.cohort).toEqual(['/usr/local/bin/cohort', '/usr/bin/cohort']);
    expect(conf.engine.runtime_supports_json).toContain('cohort');
    // A drop-in replaces the list: podman's own JSON-capable runtimes stay in it.
    expect(conf.engine.runtime_supports_json).toEqual(expect.arrayContaining(['crun', 'runc']));
  });
});

const missing =
  podmanMissing() ?? (existsSync(RUNTIME_ENTRY) ? undefined : `${RUNTIME_ENTRY} is not built`);

describe.skipIf(missing !== undefined)('podman with the drop-in', () => {
  let env: CohortPodman;
  let criuReason: string | undefined;

  beforeAll(async () => {
    const probe = await probeCriu();
    criuReason = probe.usable === undefined ? probe.rejected.join('; ') : undefined;
    env = await createCohortPodman(
      probe.usable === undefined ? {} : { criuDir: dirname(probe.usable.path) },
    );
  });

  afterAll(async () => {
    await env?.cleanup();
  });

  // Both tests drive one long-lived container through cohort, named so podman finds it again;
  // a group member's is the bundle cohort prepares at create, a plain one passes through.
  const runSleeper = (name: string, member = false) =>
    env.podman([
      '--runtime',
      'cohort',
      'run',
      '-d',
      '--name',
      name,
      ...(member
        ? ['--annotation', 'io.cohort.group=dropin', '--annotation', 'io.cohort.group.size=1']
        : []),
      env.image,
      'sleep',
      '600',
    ]);
  const status = async (name: string) =>
    (
      await env.podman(['container', 'inspect', '--format', '{{.State.Status}}', name])
    ).stdout.trim();

  it('runs a container with --runtime cohort, by name, through bin/cohort', async () => {
    const name = uniqueId('dropin');
    const started = await runSleeper(name, true);
    expect(started.exitCode, started.stderr).toBe(0);
    const id = started.stdout.trim();
    const inspected = await env.podman([
      'container',
      'inspect',
      '--format',
      '{{.OCIRuntime}} {{.State.Status}}',
      name,
    ]);
    expect(inspected.stdout.trim()).toBe('cohort running');
    // cohort's create ran for this container (its per-container state exists).
    const roots = readdirSync(join(env.stateDir, 'containers'));
    expect(
      roots.some((root) => existsSync(join(env.stateDir, 'containers', root, id, 'member.json'))),
    ).toBe(true);
  });

  it('checkpoints and restores that container when a usable CRIU exists', async (context) => {
    if (criuReason !== undefined) {
      console.log(`skipping podman checkpoint through cohort: no usable CRIU (${criuReason})`);
      context.skip();
    }
    const name = uniqueId('dropin-cr');
    const started = await runSleeper(name);
    expect(started.exitCode, started.stderr).toBe(0);
    const checkpointed = await env.podman(['container', 'checkpoint', name]);
    expect(checkpointed.exitCode, checkpointed.stderr).toBe(0);
    expect(await status(name)).toBe('exited');
    const restored = await env.podman(['container', 'restore', name]);
    expect(restored.exitCode, restored.stderr).toBe(0);
    expect(await status(name)).toBe('running');
  });
});
