import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cohortctl } from './support/run-cli.js';
import { startTestCoordinator, type TestCoordinator } from './support/coordinator.js';
import { renderScreen, rowsOf } from './support/screen.js';

let coordinator: TestCoordinator;
let env: Record<string, string>;

beforeAll(async () => {
  coordinator = await startTestCoordinator();
  env = { COHORT_CONFIG: coordinator.configPath };
});
afterAll(async () => {
  await coordinator?.stop();
});

function manifest(name: string, text: string): string {
  const path = join(coordinator.dir, name);
  writeFileSync(path, text);
  return path;
}

/** Exactly one line on stderr, and nothing on stdout: how every failure reads. */
function expectOneLineError(result: { stdout: string; stderr: string }, pattern: RegExp): void {
  expect(result.stdout).toBe('');
  expect(result.stderr).toMatch(/^cohortctl: [^\n]+\n$/);
  expect(result.stderr).toMatch(pattern);
}

describe('group apply, list, delete', () => {
  it('applies a YAML manifest and lists it, as text and as JSON', async () => {
    const file = manifest(
      'orders.yaml',
      'name: orders\nmembers: [db, api]\ndeadlines:\n  joinTimeout: 20s\n',
    );
    const applied = await cohortctl(['group', 'apply', '-f', file], { env });
    expect(applied).toEqual({ code: 0, stdout: 'group orders applied: db, api\n', stderr: '' });
    const listed = await cohortctl(['group', 'list'], { env });
    expect(listed.code).toBe(0);
    expect(listed.stdout).toBe(
      'NAME    SIZE  MEMBERS  DEADLINES\norders  2     db,api   joinTimeout=20s\n',
    );
    const json = await cohortctl(['group', 'list', '--json'], { env });
    expect(JSON.parse(json.stdout)).toEqual([
      { name: 'orders', members: ['db', 'api'], deadlines: { joinMs: 20_000 } },
    ]);
  });

  it('applies a JSON manifest with a size', async () => {
    const file = manifest('batch.json', '{"name": "batch", "size": 3}');
    expect(await cohortctl(['group', 'apply', '--file', file], { env })).toMatchObject({
      code: 0,
      stdout: 'group batch applied: any 3 members\n',
    });
  });

  it('exits 2 on a manifest with a schema error, naming the line and field', async () => {
    const file = manifest('bad.yaml', 'name: orders\nmembers:\n  - db\n  - "not valid"\n');
    const result = await cohortctl(['group', 'apply', '-f', file], { env });
    expect(result.code).toBe(2);
    expectOneLineError(result, /^cohortctl: manifest .*bad\.yaml line 4, field "members\[1\]": /);
  });

  it('exits 2 when the manifest file cannot be read', async () => {
    const result = await cohortctl(['group', 'apply', '-f', join(coordinator.dir, 'absent.yaml')], {
      env,
    });
    expect(result.code).toBe(2);
    expectOneLineError(result, /absent\.yaml: cannot be read \(ENOENT\)/);
  });

  it('deletes a group; deleting an unknown one exits 4', async () => {
    manifest('gone.yaml', 'name: gone\nsize: 1\n');
    expect(
      (await cohortctl(['group', 'apply', '-f', join(coordinator.dir, 'gone.yaml')], { env })).code,
    ).toBe(0);
    expect(await cohortctl(['group', 'delete', 'gone'], { env })).toEqual({
      code: 0,
      stdout: 'group gone deleted\n',
      stderr: '',
    });
    const again = await cohortctl(['group', 'delete', 'gone'], { env });
    expect(again.code).toBe(4);
    expectOneLineError(
      again,
      /^cohortctl: unknown group "gone" \(known: .*orders.*\); see cohortctl status\n$/,
    );
  });
});

describe('status and history', () => {
  it('shows groups with their members, no open round and no permanent checkpoint yet', async () => {
    const result = await cohortctl(['status', 'orders'], { env });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        'group orders  (manifest: 2 members; last epoch 0)',
        '  MEMBER  CONNECTED  STAGE',
        '  db      -          idle',
        '  api     -          idle',
        '  open round: none',
        '  last permanent checkpoint: none',
        '',
      ].join('\n'),
    );
  });

  it('prints the status as JSON', async () => {
    const result = await cohortctl(['status', '--json'], { env });
    const reply = JSON.parse(result.stdout) as { groups: { name: string; lastEpoch: number }[] };
    expect(reply.groups.map((group) => group.name).sort()).toEqual(['batch', 'orders']);
    expect(reply.groups.every((group) => group.lastEpoch === 0)).toBe(true);
  });

  it('prints an empty history, as text and JSON', async () => {
    expect(await cohortctl(['history', 'orders'], { env })).toEqual({
      code: 0,
      stdout: 'group orders: no rounds yet\n',
      stderr: '',
    });
    expect(await cohortctl(['history', 'orders', '--json'], { env })).toEqual({
      code: 0,
      stdout: '[]\n',
      stderr: '',
    });
  });

  it.each([[['status', 'nope']], [['history', 'nope']]])(
    'exits 4 for an unknown group: %j',
    async (argv) => {
      const result = await cohortctl(argv, { env });
      expect(result.code).toBe(4);
      expectOneLineError(result, /^cohortctl: .*\bnope\b.*unknown|unknown group "nope"/);
    },
  );

  it('--watch redraws in place until interrupted, then exits 0', async () => {
    const file = manifest('watched.yaml', 'name: watched\nmembers: [db, api]\n');
    expect((await cohortctl(['group', 'apply', '-f', file], { env })).code).toBe(0);
    const interrupt = new AbortController();
    let writes = 0;
    const result = await cohortctl(['status', 'watched', '--watch', '--interval', '100'], {
      env,
      isTty: true,
      columns: 30,
      signal: interrupt.signal,
      onStdout: () => {
        writes += 1;
        if (writes > 1) return interrupt.abort();
        // An unchanged status draws nothing: a change to the group is what gets redrawn.
        manifest('watched.yaml', 'name: watched\nmembers: [db, api, cache]\n');
        void cohortctl(['group', 'apply', '-f', file], { env });
      },
    });
    expect(result.code).toBe(0);
    expect(writes).toBe(2);
    // The screen, 30 columns wide, shows the new status once, its long first line wrapped.
    const now = await cohortctl(['status', 'watched'], { env });
    expect(now.stdout).toContain('manifest: 3 members');
    expect(await renderScreen(result.stdout, 30)).toEqual(
      rowsOf(now.stdout.trimEnd().split('\n'), 30),
    );
    expect((await cohortctl(['group', 'delete', 'watched'], { env })).code).toBe(0);
  });

  it('--watch --json prints one JSON status per line', async () => {
    const interrupt = new AbortController();
    const result = await cohortctl(['status', '--watch', '--json', '--interval', '100'], {
      env,
      signal: interrupt.signal,
      onStdout: (stdout) => {
        if (stdout.split('\n').length > 2) interrupt.abort();
      },
    });
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(JSON.parse(line)).toHaveProperty('groups');
  });
});

describe('reaching the coordinator', () => {
  it('uses --coordinator over the config', async () => {
    const result = await cohortctl(
      ['--coordinator', coordinator.address, 'group', 'list', '--json'],
      {
        env: { COHORT_CONFIG: join(coordinator.dir, 'absent.json') },
      },
    );
    // A config named by COHORT_CONFIG must exist, even when --coordinator is given.
    expect(result.code).toBe(2);
    const withConfig = await cohortctl([
      '--config',
      coordinator.configPath,
      '--coordinator',
      coordinator.address,
      'group',
      'list',
      '--json',
    ]);
    expect(withConfig.code).toBe(0);
  });

  it('exits 3 when nothing answers, saying where it looked and how to point elsewhere', async () => {
    const config = join(coordinator.dir, 'short-timeout.json');
    writeFileSync(
      config,
      JSON.stringify({ runc: '/usr/sbin/runc', coordinator: { connectTimeoutMs: 200 } }),
    );
    const socket = `unix://${join(coordinator.dir, 'nobody.sock')}`;
    const viaFlag = await cohortctl(['--config', config, '--coordinator', socket, 'status']);
    expect(viaFlag.code).toBe(3);
    expectOneLineError(
      viaFlag,
      new RegExp(
        `^cohortctl: coordinator at ${socket} \\(from --coordinator\\) is unreachable \\(.+\\); start cohortd there, or point cohortctl elsewhere with --coordinator ADDR or coordinator.address in ${config} \\(--config PATH\\)\\n$`,
      ),
    );
    const viaConfig = await cohortctl(['status'], { env: { COHORT_CONFIG: config } });
    expect(viaConfig.code).toBe(3);
    expect(viaConfig.stderr).toContain(
      `coordinator at unix:///run/cohort/cohortd.sock (from coordinator.address in ${config}, or its default)`,
    );
  });

  it.each([
    [
      ['--coordinator', 'not an address', 'status'],
      /--coordinator "not an address" is not an address/,
    ],
    [['--coordinator', '10.1.2.3:7443', 'status'], /is TCP but .* sets no coordinator\.tls/],
    [
      ['--config', '/nonexistent/cohort.json', 'status'],
      /config \/nonexistent\/cohort\.json: cannot be read \(ENOENT\)/,
    ],
  ])('exits 2 on a bad address or config: %j', async (argv, message) => {
    const result = await cohortctl(argv);
    expect(result.code).toBe(2);
    expectOneLineError(result, message);
  });
});
