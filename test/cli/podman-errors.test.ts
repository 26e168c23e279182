import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { podmanMissing } from '../helpers/podman.js';
import { RUNTIME_ENTRY } from '../helpers/runc.js';
import {
  createCohortPodman,
  podmanAnnotation,
  type CohortPodman,
} from './support/cohort-podman.js';
import { startTestCoordinator, type TestCoordinator } from './support/coordinator.js';
import { cohortctl } from './support/run-cli.js';

const missing =
  podmanMissing() ?? (existsSync(RUNTIME_ENTRY) ? undefined : `${RUNTIME_ENTRY} is not built`);

/** Bad input to the podman verbs: each is refused up front, with one line and its own exit code. */
describe.skipIf(missing !== undefined)('cohortctl checkpoint/restore refusals (podman)', () => {
  let coordinator: TestCoordinator;
  let podman: CohortPodman;
  let scratch: string;
  const ctl = (argv: string[]) =>
    cohortctl(['--config', coordinator.configPath, ...argv], { env: podman.env });
  const state = async (name: string) =>
    (
      await podman.podman(['container', 'inspect', '--format', '{{.State.Status}}', name])
    ).stdout.trim();

  beforeAll(async () => {
    coordinator = await startTestCoordinator();
    podman = await createCohortPodman({ coordinator: coordinator.address });
    scratch = mkdtempSync(join(tmpdir(), 'cohortctl-podman-'));
    const run = (name: string, annotations: string[], detach = true) =>
      podman.podman([
        '--runtime',
        'cohort',
        detach ? 'run' : 'create',
        ...(detach ? ['-d'] : []),
        '--name',
        name,
        ...annotations.flatMap((a) => ['--annotation', podmanAnnotation(a)]),
        podman.image,
        'sleep',
        '600',
      ]);
    // "shop" declares two members; only one container exists.
    const web = await run('shop-web', [
      'io.cohort.group=shop',
      'io.cohort.member=web',
      'io.cohort.group.members=web,db',
    ]);
    expect(web.exitCode, web.stderr).toBe(0);
    // "idle" has its one member created but never started.
    expect(
      (await run('idle-one', ['io.cohort.group=idle', 'io.cohort.member=one'], false)).exitCode,
    ).toBe(0);
    // "twins": two containers claim the same member name.
    for (const name of ['twin-1', 'twin-2']) {
      expect((await run(name, ['io.cohort.group=twins', 'io.cohort.member=same'])).exitCode).toBe(
        0,
      );
    }
  });

  afterAll(async () => {
    await podman?.cleanup();
    await coordinator?.stop();
    if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
  });

  function expectRefusal(
    result: { code: number; stdout: string; stderr: string },
    code: number,
    message: RegExp,
  ) {
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^cohortctl: [^\n]+\n$/);
    expect(result.stderr).toMatch(message);
    expect(result.code).toBe(code);
  }

  it('exits 5 when podman is not installed', async () => {
    const result = await ctl(['checkpoint', 'shop', '--podman', '/nonexistent/podman']);
    expectRefusal(
      result,
      5,
      /podman not found \(\/nonexistent\/podman: ENOENT\); install podman or pass --podman PATH/,
    );
  });

  it('exits 4 for a group neither podman nor the coordinator knows', async () => {
    expectRefusal(await ctl(['checkpoint', 'nosuch']), 4, /unknown group "nosuch"/);
    expectRefusal(await ctl(['restore', 'nosuch']), 4, /unknown group "nosuch"/);
  });

  it('exits 4 for a group the coordinator knows but that has no podman containers', async () => {
    const manifest = join(scratch, 'empty.yaml');
    writeFileSync(manifest, 'name: empty\nsize: 1\n');
    expect((await ctl(['group', 'apply', '-f', manifest])).code).toBe(0);
    expectRefusal(await ctl(['checkpoint', 'empty']), 4, /group empty has no podman containers/);
  });

  it('exits 4 when a declared member has no container, and leaves the others running', async () => {
    const result = await ctl(['checkpoint', 'shop']);
    expectRefusal(
      result,
      4,
      /group shop: member "db" \(listed in io\.cohort\.group\.members on shop-web\) has no container/,
    );
    expect(await state('shop-web')).toBe('running');
    expectRefusal(await ctl(['restore', 'shop']), 4, /member "db" .* has no container/);
  });

  it('exits 1 when a member is not running, before anything is checkpointed', async () => {
    const result = await ctl(['checkpoint', 'idle']);
    expectRefusal(
      result,
      1,
      /group idle: one \(idle-one\) is created; only running containers can be checkpointed/,
    );
  });

  it('exits 2 when two containers claim one member name', async () => {
    expectRefusal(
      await ctl(['checkpoint', 'twins']),
      2,
      /twin-1 and twin-2 both claim member name "same"|twin-2 and twin-1 both claim/,
    );
  });

  it('exits 2 when --import names no readable directory', async () => {
    expectRefusal(
      await ctl(['restore', 'shop', '--import', join(scratch, 'absent')]),
      2,
      /--import .*absent: cannot be read \(ENOENT\)/,
    );
  });

  it('exits 4 when a group member holds no coordinated checkpoint to restore', async () => {
    expectRefusal(
      await ctl(['restore', 'idle']),
      4,
      /member one \(idle-one\) has no coordinated checkpoint of group idle/,
    );
  });
});
