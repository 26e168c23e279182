import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { closeFds, openFixture, spawnWithFds } from '../helpers/fds.js';
import {
  FAKE_NODE,
  FAKE_RUNC,
  readFakeNodeCalls,
  readFakeRuncCalls,
  type FakeRuncCall,
} from '../helpers/fake-runc.js';
import {
  COHORT_BIN,
  createRuntimeSandbox,
  maskTime,
  NODE,
  REPO_ROOT,
  run,
  RUNC,
  RUNTIME_ENTRY,
  type RuntimeSandbox,
} from '../helpers/runc.js';
import { parseRuntimeArgv } from '../../src/runtime/argv.js';
import { ARGV_FORMS } from './argv-forms.js';

const INTERCEPTED = new Set(['create', 'run', 'checkpoint', 'restore']);
const VERSION = (
  JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }
).version;
const FAKE_VERSION =
  'runc version 1.1.5-fake\ncommit: fake\nspec: 1.0.2-dev\ngo: go1.19.8\nlibseccomp: 2.5.4\n';

let sandbox: RuntimeSandbox;
let bundle: string;
let fakeConfig: string;
let callCount = 0;

beforeAll(() => {
  sandbox = createRuntimeSandbox();
  bundle = sandbox.bundle({ args: ['true'] });
  fakeConfig = join(sandbox.dir, 'fakes.json');
  writeFileSync(
    fakeConfig,
    JSON.stringify({ runc: FAKE_RUNC, node: FAKE_NODE, stateDir: sandbox.stateDir }, null, 2),
  );
});
afterAll(async () => {
  await sandbox.cleanup();
});

/** A fresh record dir for fake-runc and fake-node, one per call. */
function recordDir(): string {
  callCount += 1;
  const dir = join(sandbox.dir, 'records', String(callCount));
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** The environment of a caller that points cohort at the fakes. */
function fakeEnv(record: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    COHORT_CONFIG: fakeConfig,
    FAKE_NODE_REAL: NODE,
    FAKE_NODE_RECORD: record,
    FAKE_RUNC_RECORD: record,
    ...extra,
  };
}

/** Swaps the table's placeholder paths (/b bundle, /r run dir) for real ones, also after `=`. */
function localize(arg: string): string {
  const match = /^(--?[a-z-]+=)?\/(b|r)(\/.*)?$/.exec(arg);
  if (match === null) return arg;
  const base = match[2] === 'b' ? bundle : join(sandbox.dir, 'r');
  return `${match[1] ?? ''}${base}${match[3] ?? ''}`;
}

function onlyCall(record: string): FakeRuncCall {
  const calls = readFakeRuncCalls(record);
  expect(calls).toHaveLength(1);
  return calls[0] as FakeRuncCall;
}

/** The environment runc got, minus PWD: sh (any POSIX sh) exports it, pointing at the real cwd. */
function envOf(call: FakeRuncCall): Record<string, string> {
  const env = Object.fromEntries(call.env);
  if (env.PWD !== undefined) expect(env.PWD).toBe(call.cwd);
  delete env.PWD;
  return env;
}

function argsOf(call: FakeRuncCall): string[] {
  return call.args.map((arg) => arg.toString('utf8'));
}

beforeEach(() => {
  mkdirSync(join(sandbox.dir, 'r'), { recursive: true });
});

describe('front door: every argv form reaches runc unchanged, by the right route', () => {
  it.each(ARGV_FORMS)('$name', async (form) => {
    const argv = form.argv.map(localize);
    const record = recordDir();
    // A checkpoint reads the container's state first, and refuses one it cannot read.
    const env = fakeEnv(record, form.command === 'checkpoint' ? { FAKE_RUNC_STATE_JSON: '1' } : {});
    const result = await spawnWithFds(COHORT_BIN, argv, { env, cwd: bundle });
    const calls = readFakeRuncCalls(record);
    // `--version` alone needs runc as a child (cohort's line follows); all else is one exec of runc.
    const versionOnly = form.version === true && form.command === undefined;
    const call = (versionOnly ? calls[0] : calls.find((c) => c.pid === result.pid)) as FakeRuncCall;
    expect(call).toBeDefined();
    expect(argsOf(call)).toEqual(argv);
    // An intercepted command may ask runc about the container first; nothing else may call it.
    const others = calls.filter((c) => c !== call).map((c) => parseRuntimeArgv(argsOf(c)).command);
    expect(others.filter((command) => command !== 'state')).toEqual([]);
    if (others.length > 0) expect(INTERCEPTED.has(form.command ?? '')).toBe(true);
    expect(result.exitCode).toBe(0);
    if (versionOnly) {
      expect(result.stdout).toBe(`${FAKE_VERSION}cohort version ${VERSION}\n`);
      expect(result.stderr).toBe('');
    } else if (form.version === true) {
      expect(result.stdout.startsWith(FAKE_VERSION)).toBe(true);
    } else {
      expect(result.stdout).toBe('fake-runc stdout\n');
      expect(result.stderr).toBe('fake-runc stderr\n');
    }
    const nodeCalls = readFakeNodeCalls(record);
    const globalAnswer = form.version === true || form.help === true;
    // This bundle declares no group: create and run are decided in bash, and start no Node.
    const decidedInBash = form.command === 'create' || form.command === 'run';
    if (form.command !== undefined && INTERCEPTED.has(form.command) && !globalAnswer) {
      expect(nodeCalls).toHaveLength(decidedInBash ? 0 : 1);
      if (!decidedInBash) {
        expect(resolve(nodeCalls[0]?.script ?? '')).toBe(RUNTIME_ENTRY);
        expect(nodeCalls[0]?.args.map(String)).toEqual(argv);
      }
    } else if (form.command === undefined || !INTERCEPTED.has(form.command)) {
      expect(nodeCalls).toEqual([]);
    }
    expect(envOf(call)).toEqual(env);
    expect(call.cwd).toBe(bundle);
  });
});

describe('front door: bytes, fds, limits and environment', () => {
  const odd = [
    '',
    ' ',
    'two  spaces',
    'new\nline',
    'tab\there',
    'ünïcødé',
    '*',
    '$HOME',
    '`id`',
    '--',
    '-v',
    '"quoted"',
    "it's",
  ];

  it('pass-through argv reaches runc byte for byte', async () => {
    const argv = ['--root', sandbox.root, 'exec', 'x', 'sh', '-c', ...odd];
    const record = recordDir();
    const result = await spawnWithFds(COHORT_BIN, argv, { env: fakeEnv(record) });
    expect(result.exitCode).toBe(0);
    expect(onlyCall(record).args).toEqual(argv.map((arg) => Buffer.from(arg)));
  });

  it('intercepted argv reaches runc byte for byte', async () => {
    const argv = [
      '--root',
      sandbox.root,
      '--log',
      join(sandbox.dir, 'log file'),
      'create',
      '--bundle',
      bundle,
      '--pid-file',
      join(sandbox.dir, 'p i d'),
      'odd-id',
    ];
    const record = recordDir();
    const result = await spawnWithFds(COHORT_BIN, argv, { env: fakeEnv(record) });
    expect(result.exitCode).toBe(0);
    expect(onlyCall(record).args).toEqual(argv.map((arg) => Buffer.from(arg)));
  });

  it.each([
    ['pass-through', ['exec', '--preserve-fds', '6', 'x', 'true']],
    [
      'intercepted (fds 7 and 8 cross the Node step)',
      ['create', '--bundle', '<bundle>', '--preserve-fds', '6', 'x'],
    ],
  ])('%s: runc gets exactly the caller fds 0-8, at the same numbers', async (_route, args) => {
    const record = recordDir();
    const fixtures = [3, 4, 5, 6, 7, 8].map((n) => ({
      n,
      ...openFixture(sandbox.dir, `fd-${n}-${callCount}`, `fd ${n}\n`),
    }));
    try {
      const argv = [
        '--root',
        sandbox.root,
        ...args.map((arg) => (arg === '<bundle>' ? bundle : arg)),
      ];
      const stdin = openFixture(sandbox.dir, `stdin-${callCount}`, 'stdin\n');
      fixtures.push({ n: 0, ...stdin });
      const result = await spawnWithFds(COHORT_BIN, argv, {
        env: fakeEnv(record),
        stdin: stdin.fd,
        fds: Object.fromEntries(fixtures.filter((f) => f.n >= 3).map((f) => [f.n, f.fd])),
      });
      expect(result.exitCode).toBe(0);
      const fds = onlyCall(record).fds;
      expect([...fds.keys()].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
      for (const fixture of fixtures) expect(fds.get(fixture.n)).toBe(fixture.path);
      // Node's 'pipe' stdio is a socketpair.
      expect(fds.get(1)).toMatch(/^(pipe|socket):/);
      expect(fds.get(2)).toMatch(/^(pipe|socket):/);
    } finally {
      closeFds(fixtures.map((f) => f.fd));
    }
  });

  it.each([
    ['pass-through', ['state', 'x']],
    ['intercepted', ['create', '--bundle', '<bundle>', 'x']],
  ])(
    "%s: runc gets the caller rlimits and signal dispositions, not Node's",
    async (_route, args) => {
      const record = recordDir();
      const argv = [
        '--root',
        sandbox.root,
        ...args.map((arg) => (arg === '<bundle>' ? bundle : arg)),
      ];
      // Node raises the soft open-files limit to the hard one and ignores SIGPIPE.
      const result = await spawnWithFds(
        '/bin/sh',
        ['-c', 'ulimit -Sn 1000 && exec "$@"', 'sh', COHORT_BIN, ...argv],
        {
          env: fakeEnv(record),
        },
      );
      expect(result.exitCode).toBe(0);
      const call = onlyCall(record);
      expect(call.limits).toMatch(/^Max open files\s+1000\s/m);
      expect(call.status).toMatch(/^SigIgn:\s+0+$/m);
    },
  );

  it.each([
    ['pass-through', ['state', 'x']],
    ['intercepted', ['create', '--bundle', '<bundle>', 'x']],
  ])('%s: a caller with stdout closed gets runc with stdout closed', async (_route, args) => {
    const record = recordDir();
    const argv = [
      '--root',
      sandbox.root,
      ...args.map((arg) => (arg === '<bundle>' ? bundle : arg)),
    ];
    // Daemons sometimes start their runtime with a closed fd 1; runc copes, so must cohort.
    const result = await spawnWithFds(
      '/bin/sh',
      ['-c', 'exec "$@" >&-', 'sh', COHORT_BIN, ...argv],
      {
        env: fakeEnv(record),
      },
    );
    const call = onlyCall(record);
    expect(argsOf(call)).toEqual(argv);
    expect(call.fds.has(1)).toBe(false);
    expect(result.stderr).not.toMatch(/Bad file descriptor|Illegal number/);
    expect(result.exitCode).toBe(0);
  });

  it('passes the exit code of runc through', async () => {
    for (const args of [
      ['state', 'x'],
      ['create', '--bundle', bundle, 'x'],
    ]) {
      const record = recordDir();
      const result = await spawnWithFds(COHORT_BIN, args, {
        env: fakeEnv(record, { FAKE_RUNC_EXIT: '42' }),
      });
      expect(result.exitCode).toBe(42);
    }
  });
});

describe('front door: finding runc with no PATH (podman kill/pause/resume/delete)', () => {
  it.each([
    ['kill', 'x', '9'],
    ['pause', 'x'],
    ['resume', 'x'],
    ['delete', '--force', 'x'],
  ])('%s: "runc" from the config file', async (...args) => {
    const record = recordDir();
    const config = join(sandbox.dir, `runc-key-${callCount}.json`);
    writeFileSync(
      config,
      JSON.stringify({ runc: FAKE_RUNC, stateDir: sandbox.stateDir }, null, 2) + '\n',
    );
    const env = { XDG_RUNTIME_DIR: '', COHORT_CONFIG: config, FAKE_RUNC_RECORD: record };
    const result = await spawnWithFds(COHORT_BIN, args, { env });
    expect(result.exitCode).toBe(0);
    const call = onlyCall(record);
    expect(argsOf(call)).toEqual(args);
    expect(envOf(call)).toEqual(env);
    expect(call.pid).toBe(result.pid);
  });

  it.each([
    ['ending in a newline', '\n'],
    ['with no final newline (as JSON.stringify and many editors write it)', ''],
  ])('reads "runc" from a config written on one line, %s', async (_name, ending) => {
    const record = recordDir();
    const config = join(sandbox.dir, `one-line-${callCount}.json`);
    writeFileSync(
      config,
      JSON.stringify({ stateDir: sandbox.stateDir, node: NODE, runc: FAKE_RUNC }) + ending,
    );
    const env = { XDG_RUNTIME_DIR: '', COHORT_CONFIG: config, FAKE_RUNC_RECORD: record };
    const result = await spawnWithFds(COHORT_BIN, ['pause', 'x'], { env });
    expect(result.exitCode).toBe(0);
    expect(argsOf(onlyCall(record))).toEqual(['pause', 'x']);
  });

  it('takes a changed config at the next call, and the defaults once the file is gone', async () => {
    const config = join(sandbox.dir, 'changing.json');
    const write = (runc: string) =>
      writeFileSync(config, JSON.stringify({ runc, stateDir: sandbox.stateDir }));
    write(RUNC);
    const env = { XDG_RUNTIME_DIR: '', COHORT_CONFIG: config };
    expect((await spawnWithFds(COHORT_BIN, ['--version'], { env })).stdout).toMatch(
      /^runc version 1\./,
    );
    write(FAKE_RUNC);
    const record = recordDir();
    const viaFake = await spawnWithFds(COHORT_BIN, ['resume', 'x'], {
      env: { ...env, FAKE_RUNC_RECORD: record },
    });
    expect(viaFake.exitCode).toBe(0);
    expect(argsOf(onlyCall(record))).toEqual(['resume', 'x']);
    rmSync(config);
    const viaDefault = await spawnWithFds(COHORT_BIN, ['--version'], { env });
    expect(viaDefault.stdout).toMatch(/^runc version 1\./);
  });

  it('create also works with no PATH: Node and runc come from the config', async () => {
    const record = recordDir();
    const config = join(sandbox.dir, 'no-path-create.json');
    writeFileSync(
      config,
      JSON.stringify({ runc: FAKE_RUNC, node: NODE, stateDir: sandbox.stateDir }, null, 2) + '\n',
    );
    const args = ['--root', sandbox.root, 'create', '--bundle', bundle, 'no-path-id'];
    const result = await spawnWithFds(COHORT_BIN, args, {
      env: { XDG_RUNTIME_DIR: '', COHORT_CONFIG: config, FAKE_RUNC_RECORD: record },
    });
    expect(result.stderr).toBe('fake-runc stderr\n');
    expect(result.exitCode).toBe(0);
    expect(argsOf(onlyCall(record))).toEqual(args);
  });

  it.each([
    ['a config with no "runc" key', true],
    ['no config file at all', false],
  ])('the default search finds the real runc: %s', async (_name, withConfig) => {
    const config = join(sandbox.dir, 'no-runc-key.json');
    writeFileSync(config, JSON.stringify({ stateDir: sandbox.stateDir }, null, 2) + '\n');
    const env: Record<string, string> = { XDG_RUNTIME_DIR: '' };
    if (withConfig) env.COHORT_CONFIG = config;
    else env.COHORT_CONFIG = join(sandbox.dir, 'does-not-exist.json');
    for (const args of [
      ['--root', sandbox.root, 'kill', 'missing-id', '9'],
      ['--root', sandbox.root, 'state', 'missing-id'],
      ['--version'],
    ]) {
      const viaCohort = await run(COHORT_BIN, args, { env });
      const viaRunc = await run(RUNC, args, { env });
      expect(viaCohort.exitCode).toBe(viaRunc.exitCode);
      expect(maskTime(viaCohort.stderr)).toBe(maskTime(viaRunc.stderr));
      const cohortLine = args[0] === '--version' ? `cohort version ${VERSION}\n` : '';
      expect(viaCohort.stdout).toBe(viaRunc.stdout + cohortLine);
    }
  });
});
