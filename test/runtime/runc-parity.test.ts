import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cgroupDir, containerFreezerState } from '../helpers/cgroup.js';
import {
  COHORT_BIN,
  containerState,
  createRuntimeSandbox,
  maskTime,
  REPO_ROOT,
  runToFiles,
  waitForStatus,
  type RunResult,
  type RuntimeSandbox,
} from '../helpers/runc.js';

const VERSION = (
  JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }
).version;

let sandbox: RuntimeSandbox;
beforeAll(() => {
  sandbox = createRuntimeSandbox();
});
afterAll(async () => {
  await sandbox.cleanup();
});

/** Runs the same arguments through cohort and through runc, on the same root. */
async function both(
  args: readonly string[],
  options: { cwd?: string; input?: string } = {},
): Promise<[RunResult, RunResult]> {
  const viaCohort = await sandbox.cohort(args, options);
  const viaRunc = await sandbox.runc(args, options);
  return [viaCohort, viaRunc];
}

/** Same exit code, same stdout, same stderr but for runc's log timestamps and ps's CPU share. */
function expectSame(viaCohort: RunResult, viaRunc: RunResult): void {
  expect({
    ...viaCohort,
    stdout: maskCpu(viaCohort.stdout),
    stderr: maskTime(viaCohort.stderr),
  }).toEqual({
    ...viaRunc,
    stdout: maskCpu(viaRunc.stdout),
    stderr: maskTime(viaRunc.stderr),
  });
}

/** `ps -ef`'s C column (recent CPU use) changes between two calls on the same process. */
function maskCpu(stdout: string): string {
  return stdout.replace(/^(\S+\s+\d+\s+\d+\s+)\d+ /gm, '$1C ');
}

/** A running `sleep` container, created and started through cohort. */
async function startedContainer(prefix: string): Promise<string> {
  const id = sandbox.id(prefix);
  const bundle = sandbox.bundle({ args: ['sleep', '1000'] });
  const created = await sandbox.create('cohort', id, bundle);
  expect(created).toMatchObject({ exitCode: 0, stdout: '', stderr: '' });
  expect((await sandbox.cohort(['start', id])).exitCode).toBe(0);
  return id;
}

describe('commands with no container', () => {
  it("--version prints runc's lines unchanged, then cohort's", async () => {
    const [viaCohort, viaRunc] = await both(['--version']);
    expect(viaRunc.exitCode).toBe(0);
    expect(viaCohort.exitCode).toBe(0);
    expect(viaCohort.stdout).toBe(`${viaRunc.stdout}cohort version ${VERSION}\n`);
    // go-runc reads the version from the first line.
    expect(viaCohort.stdout.split('\n')[0]).toMatch(/^runc version \d+\.\d+\.\d+/);
    expect(viaCohort.stderr).toBe(viaRunc.stderr);
  });

  it("features prints runc's JSON", async () => {
    const [viaCohort, viaRunc] = await both(['features']);
    expectSame(viaCohort, viaRunc);
    expect(JSON.parse(viaCohort.stdout)).toHaveProperty('ociVersionMax');
  });

  it.each([[['spec']], [['spec', '--rootless']]])(
    '%j writes the same config.json',
    async (args) => {
      const dirs = ['cohort', 'runc'].map((name) =>
        join(sandbox.dir, `spec-${args.length}-${name}`),
      );
      for (const dir of dirs) mkdirSync(dir);
      const viaCohort = await sandbox.cohort(args, { cwd: dirs[0] });
      const viaRunc = await sandbox.runc(args, { cwd: dirs[1] });
      expectSame(viaCohort, viaRunc);
      expect(readFileSync(join(dirs[0] as string, 'config.json'), 'utf8')).toBe(
        readFileSync(join(dirs[1] as string, 'config.json'), 'utf8'),
      );
      // Again, over the existing file: the same refusal.
      const [again, againRunc] = [
        await sandbox.cohort(args, { cwd: dirs[0] }),
        await sandbox.runc(args, { cwd: dirs[1] }),
      ];
      expect(again.exitCode).not.toBe(0);
      expectSame(again, againRunc);
    },
  );

  it.each([
    [['state', 'no-such-container']],
    [['kill', 'no-such-container', 'KILL']],
    [['delete', 'no-such-container']],
    [['pause', 'no-such-container']],
    [['resume', 'no-such-container']],
    [['exec', 'no-such-container', 'true']],
    [['ps', 'no-such-container']],
    [['start', 'no-such-container']],
    [['update', '--pids-limit', '10', 'no-such-container']],
    [['no-such-command']],
    [['state']],
  ])('%j fails exactly as runc does', async (args) => {
    const [viaCohort, viaRunc] = await both(args);
    expect(viaRunc.exitCode).not.toBe(0);
    expectSame(viaCohort, viaRunc);
  });

  it("errors go to --log in runc's JSON format, as runc writes them", async () => {
    const logs = ['cohort', 'runc'].map((name) => join(sandbox.dir, `missing-${name}.log`));
    const viaCohort = await sandbox.cohort([
      '--log',
      logs[0] as string,
      '--log-format',
      'json',
      'state',
      'no-such-container',
    ]);
    const viaRunc = await sandbox.runc([
      '--log',
      logs[1] as string,
      '--log-format',
      'json',
      'state',
      'no-such-container',
    ]);
    expectSame(viaCohort, viaRunc);
    expect(maskTime(readFileSync(logs[0] as string, 'utf8'))).toBe(
      maskTime(readFileSync(logs[1] as string, 'utf8')),
    );
  });

  it('the CRI-O and podman feature probes answer as runc does', async () => {
    // podman: `checkpoint --help` must exit 0; CRI-O: restore's flag with no value names the problem.
    for (const args of [
      ['checkpoint', '--help'],
      ['restore', '--help'],
      ['create', '--help'],
      ['run', '--help'],
    ]) {
      const [viaCohort, viaRunc] = await both(args);
      expect(viaRunc.exitCode).toBe(0);
      expectSame(viaCohort, viaRunc);
    }
    const [viaCohort, viaRunc] = await both(['restore', '--lsm-mount-context']);
    expect(viaRunc.stderr).toContain('flag needs an argument');
    expectSame(viaCohort, viaRunc);
  });

  it.each([
    [['--version', 'create', 'x']],
    [['-v', 'checkpoint', 'x']],
    [['--help', 'create', 'x']],
    [['-h', 'run', 'x']],
    [['--help', 'restore', 'x']],
  ])('%j: runc answers the global flag; the command does not run', async (args) => {
    // Once outside a bundle, once inside one that must stay untouched.
    const bundle = sandbox.bundle({ args: ['true'] });
    const before = readFileSync(join(bundle, 'config.json'), 'utf8');
    for (const cwd of [sandbox.dir, bundle]) {
      const [viaCohort, viaRunc] = await both(args, { cwd });
      expect(viaRunc.exitCode).toBe(0);
      expect(viaCohort.exitCode).toBe(viaRunc.exitCode);
      expect(viaCohort.stderr).toBe(viaRunc.stderr);
      expect(viaCohort.stdout.startsWith(viaRunc.stdout)).toBe(true);
    }
    expect(readFileSync(join(bundle, 'config.json'), 'utf8')).toBe(before);
    expect(existsSync(sandbox.criuConfigPath('x'))).toBe(false);
  });

  it('create with no id fails as runc does, without touching anything', async () => {
    const bundle = sandbox.bundle({ args: ['true'] });
    const before = readFileSync(join(bundle, 'config.json'), 'utf8');
    const [viaCohort, viaRunc] = await both(['create', '--bundle', bundle]);
    expect(viaRunc.exitCode).not.toBe(0);
    expectSame(viaCohort, viaRunc);
    expect(readFileSync(join(bundle, 'config.json'), 'utf8')).toBe(before);
  });
});

describe('one container, seen through cohort and through runc', () => {
  it('state, list and ps print the same', async () => {
    const id = sandbox.id('look');
    const bundle = sandbox.bundle({ args: ['sleep', '1000'] });
    expect((await sandbox.create('cohort', id, bundle)).exitCode).toBe(0);
    const created = await both(['state', id]);
    expectSame(...created);
    expect(JSON.parse(created[0].stdout)).toMatchObject({ id, status: 'created', bundle });
    expect((await sandbox.cohort(['start', id])).exitCode).toBe(0);
    const running = await both(['state', id]);
    expectSame(...running);
    expect(JSON.parse(running[0].stdout)).toMatchObject({ status: 'running' });
    for (const args of [
      ['list'],
      ['list', '--format', 'json'],
      ['list', '-q'],
      ['ps', '--format', 'json', id],
      ['ps', id],
      ['ps', id, '-o', 'pid,comm'],
    ]) {
      expectSame(...(await both(args)));
    }
  });

  it('exec: output, stdin and exit code as runc gives them', async () => {
    const id = await startedContainer('exec');
    const script = ['sh', '-c', 'echo out; echo err >&2; read line; echo "got $line"; exit 7'];
    const [viaCohort, viaRunc] = await both(['exec', id, ...script], { input: 'typed\n' });
    expect(viaRunc).toMatchObject({ exitCode: 7, stdout: 'out\ngot typed\n', stderr: 'err\n' });
    expectSame(viaCohort, viaRunc);
    const env = await both([
      'exec',
      '--env',
      'A=b c',
      '--cwd',
      '/tmp',
      id,
      'sh',
      '-c',
      'echo "$A" "$PWD"',
    ]);
    expect(env[1].stdout).toBe('b c /tmp\n');
    expectSame(...env);
    const missing = await both(['exec', id, '/no/such/binary']);
    expect(missing[1].exitCode).not.toBe(0);
    expectSame(...missing);
  });

  it('pause and resume freeze and thaw the container', async () => {
    const id = await startedContainer('pause');
    expect((await sandbox.cohort(['pause', id])).exitCode).toBe(0);
    expect(await containerFreezerState(sandbox.root, id)).toBe('FROZEN');
    expectSame(...(await both(['state', id])));
    expect((await containerState(sandbox.root, id))?.status).toBe('paused');
    // Pausing twice, and exec into a paused container: runc's own answers.
    expectSame(...(await both(['pause', id])));
    expectSame(...(await both(['exec', id, 'true'])));
    expect((await sandbox.cohort(['resume', id])).exitCode).toBe(0);
    expect(await containerFreezerState(sandbox.root, id)).toBe('THAWED');
    expect((await containerState(sandbox.root, id))?.status).toBe('running');
    expectSame(...(await both(['resume', id])));
  });

  it('update changes the cgroup as runc does', async () => {
    const id = await startedContainer('update');
    const pid = (await containerState(sandbox.root, id))?.pid as number;
    const pidsMax = (): string =>
      readFileSync(join(cgroupDir(pid, 'pids') as string, 'pids.max'), 'utf8').trim();
    const viaCohort = await sandbox.cohort(['update', '--pids-limit', '123', id]);
    expect(viaCohort).toMatchObject({ exitCode: 0, stdout: '', stderr: '' });
    expect(pidsMax()).toBe('123');
    const viaRunc = await sandbox.runc(['update', '--pids-limit', '124', id]);
    expectSame(viaCohort, viaRunc);
    expect(pidsMax()).toBe('124');
    expectSame(...(await both(['update', '--pids-limit', 'many', id])));
  });

  it("kill, then delete; errors on a stopped or deleted container match runc's", async () => {
    const id = await startedContainer('kill');
    expectSame(...(await both(['delete', id])));
    expect((await sandbox.cohort(['kill', id, 'KILL'])).exitCode).toBe(0);
    await waitForStatus(sandbox.root, id, 'stopped');
    expectSame(...(await both(['state', id])));
    expectSame(...(await both(['kill', id, 'KILL'])));
    expect(await sandbox.cohort(['delete', id])).toMatchObject({
      exitCode: 0,
      stdout: '',
      stderr: '',
    });
    expectSame(...(await both(['state', id])));
    expectSame(...(await both(['delete', id])));
  });

  it('kill with a numeric signal and delete --force, the way podman stops a container', async () => {
    const id = await startedContainer('podmanstop');
    expect((await sandbox.cohort(['kill', id, '9'])).exitCode).toBe(0);
    await waitForStatus(sandbox.root, id, 'stopped');
    expect((await sandbox.cohort(['delete', '--force', id])).exitCode).toBe(0);
    expect(await containerState(sandbox.root, id)).toBeUndefined();
  });

  it('a second create of the same id fails as runc does', async () => {
    const id = sandbox.id('twice');
    const bundle = sandbox.bundle({ args: ['sleep', '1000'] });
    expect((await sandbox.create('cohort', id, bundle)).exitCode).toBe(0);
    const again = await sandbox.create('cohort', id, bundle);
    const againRunc = await sandbox.create('runc', id, bundle);
    expect(againRunc.exitCode).not.toBe(0);
    expectSame(again, againRunc);
    expect((await containerState(sandbox.root, id))?.status).toBe('created');
  });
});

describe('run in the foreground', () => {
  it("gives the container's output and exit code", async () => {
    const script = ['sh', '-c', 'echo "hello from $(hostname)"; echo oops >&2; exit 3'];
    const viaCohort = await sandbox.cohort(['run', sandbox.id('fg')], {
      cwd: sandbox.bundle({ args: script }),
    });
    const viaRunc = await sandbox.runc(['run', sandbox.id('fg')], {
      cwd: sandbox.bundle({ args: script }),
    });
    expect(viaRunc).toMatchObject({
      exitCode: 3,
      stdout: 'hello from cohort-test\n',
      stderr: 'oops\n',
    });
    expectSame(viaCohort, viaRunc);
  });

  it('a container killed from outside gives the exit status runc reports', async () => {
    const results: RunResult[] = [];
    for (const via of ['cohort', 'runc'] as const) {
      const id = sandbox.id('sig');
      const running = sandbox[via](['run', id], {
        cwd: sandbox.bundle({ args: ['sleep', '1000'] }),
      });
      await waitForStatus(sandbox.root, id, 'running');
      expect((await sandbox.cohort(['kill', id, 'KILL'])).exitCode).toBe(0);
      results.push(await running);
    }
    expect(results[1]?.exitCode).toBe(137);
    expectSame(results[0] as RunResult, results[1] as RunResult);
  });

  it('run -d detaches and leaves a running container', async () => {
    const id = sandbox.id('detach');
    const bundle = sandbox.bundle({ args: ['sleep', '1000'] });
    // Files, not pipes: the detached container keeps its stdio open.
    const result = await runToFiles(
      COHORT_BIN,
      ['--root', sandbox.root, 'run', '-d', '--bundle', bundle, id],
      sandbox.env,
      join(sandbox.dir, id),
    );
    expect(result.exitCode).toBe(0);
    expect((await containerState(sandbox.root, id))?.status).toBe('running');
  });
});
