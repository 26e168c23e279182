import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseCreateArgs } from '../../src/runtime/command-args.js';
import { ANNOTATION, CRIU_CONFIG_ANNOTATION } from '../../src/spec/annotations.js';
import { FAKE_NODE, readFakeNodeCalls } from '../helpers/fake-runc.js';
import { readSpec } from '../helpers/rootfs.js';
import { createRuntimeSandbox, NODE, REPO_ROOT, type RuntimeSandbox } from '../helpers/runc.js';
import { startTestSessionHost } from '../helpers/session-host.js';

const RUNC_ARGS = join(REPO_ROOT, 'libexec', 'runc-args.bash');

/** bash's create_bundle on `args`, as the front door runs it (relative to the caller's cwd). */
function bashBundle(args: readonly string[]): string {
  const result = spawnSync(
    '/bin/bash',
    ['-c', `. ${RUNC_ARGS}; create_bundle "$@"; printf %s "$bundle"`, 'runc-args', ...args],
    { encoding: 'utf8' },
  );
  return result.stdout;
}

const TOKENS = [
  '--bundle',
  '-bundle',
  '-b',
  '--b',
  '--bundle=/x',
  '-b=/y',
  '--bundle=',
  '-b=',
  '--pid-file',
  '-pid-file',
  '--console-socket',
  '--preserve-fds',
  '--preserve-fds=3',
  '--no-pivot',
  '--detach',
  '-d',
  '--keep',
  '--unknown',
  '-',
  '--',
  '',
  'id',
  '/abs',
  'rel/dir',
  '-b=/z=w',
  '---bundle',
  '--help',
  '-bundle=a b',
];

/** A fixed pseudo-random walk over TOKENS: the same cases every run, many forms each. */
function* argvCases(count: number): Generator<string[]> {
  let seed = 7;
  const next = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed;
  };
  for (let i = 0; i < count; i += 1) {
    const length = next() % 6;
    yield Array.from({ length }, () => TOKENS[next() % TOKENS.length] as string);
  }
}

describe("the front door's bash reads --bundle as cohort's parser does", () => {
  it('agrees with parseCreateArgs on every form of 300 argument lists', () => {
    const cwd = '/cwd';
    for (const args of argvCases(300)) {
      const fromBash = bashBundle(args);
      const absolute = fromBash.startsWith('/') ? fromBash : join(cwd, fromBash);
      expect(absolute, JSON.stringify(args)).toBe(parseCreateArgs(args, cwd).bundle);
    }
  });
});

const sandboxes: RuntimeSandbox[] = [];
const stops: (() => void)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) stop();
  for (const sandbox of sandboxes.splice(0)) await sandbox.cleanup();
});

/** A sandbox whose front door starts Node through fake-node, so a test sees every start. */
function recordingSandbox(config: Record<string, unknown> = {}) {
  const sandbox = createRuntimeSandbox({ config: { ...config, node: FAKE_NODE } });
  sandboxes.push(sandbox);
  const record = join(sandbox.dir, 'node-starts');
  mkdirSync(record);
  Object.assign(sandbox.env, { FAKE_NODE_REAL: NODE, FAKE_NODE_RECORD: record });
  return { sandbox, nodeStarts: () => readFakeNodeCalls(record).length };
}

const MEMBER = { [ANNOTATION.group]: 'g', [ANNOTATION.member]: 'a', [ANNOTATION.members]: 'a' };

describe('create: who decides, and at what cost', () => {
  it('creates a container in no group with no Node started and its bundle untouched', async () => {
    const { sandbox, nodeStarts } = recordingSandbox();
    const bundle = sandbox.bundle({ args: ['sleep', '30'] });
    const before = readFileSync(join(bundle, 'config.json'));
    const id = sandbox.id();
    const created = await sandbox.create('cohort', id, bundle);
    expect(created.exitCode, created.stderr).toBe(0);
    expect(nodeStarts()).toBe(0);
    expect(readFileSync(join(bundle, 'config.json'))).toEqual(before);
  });

  it('prepares a group member in the session host, with no Node started', async () => {
    const { sandbox, nodeStarts } = recordingSandbox();
    const host = await startTestSessionHost(sandbox.stateDir);
    stops.push(() => host.stop());
    const bundle = sandbox.bundle({ args: ['sleep', '30'], annotations: MEMBER });
    const created = await sandbox.create('cohort', sandbox.id(), bundle);
    expect(created.exitCode, created.stderr).toBe(0);
    expect(nodeStarts()).toBe(0);
    expect(readSpec(bundle).annotations?.[CRIU_CONFIG_ANNOTATION]).toContain(sandbox.stateDir);
  });

  it('prepares a group member with a one-off Node when no session host runs', async () => {
    const { sandbox, nodeStarts } = recordingSandbox();
    const bundle = sandbox.bundle({ args: ['sleep', '30'], annotations: MEMBER });
    const created = await sandbox.create('cohort', sandbox.id(), bundle);
    expect(created.exitCode, created.stderr).toBe(0);
    expect(nodeStarts()).toBe(1);
    expect(readSpec(bundle).annotations?.[CRIU_CONFIG_ANNOTATION]).toContain(sandbox.stateDir);
  });

  it('asks cohort about every container when the config gives all of them page-server TLS', async () => {
    const tls = { cacert: '/etc/cohort/tls/ca.pem', cert: '/c.pem', key: '/k.pem' };
    const { sandbox, nodeStarts } = recordingSandbox({ criu: { pageServerTls: tls } });
    const bundle = sandbox.bundle({ args: ['sleep', '30'] });
    const created = await sandbox.create('cohort', sandbox.id(), bundle);
    expect(created.exitCode, created.stderr).toBe(0);
    expect(nodeStarts()).toBe(1);
    expect(readSpec(bundle).annotations?.[CRIU_CONFIG_ANNOTATION]).toContain(sandbox.stateDir);
  });
});
