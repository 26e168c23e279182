import {
  chmodSync,
  existsSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  COHORT_BIN,
  containerState,
  createRuntimeSandbox,
  REPO_ROOT,
  runToFiles,
  type RuntimeSandbox,
} from '../helpers/runc.js';
import { readSpec } from '../helpers/rootfs.js';

const HOOK = join(REPO_ROOT, 'hooks', 'criu-action');
const TLS = {
  cacert: '/etc/cohort/tls/ca.pem',
  cacrl: '/etc/cohort/tls/ca.crl',
  cert: '/etc/cohort/tls/node.pem',
  key: '/etc/cohort/tls/node-key.pem',
  noCnVerify: true,
};

const sandboxes: RuntimeSandbox[] = [];
function sandboxWith(config?: Record<string, unknown> | string): RuntimeSandbox {
  const sandbox = createRuntimeSandbox(config === undefined ? {} : { config });
  sandboxes.push(sandbox);
  return sandbox;
}
afterEach(async () => {
  for (const sandbox of sandboxes.splice(0)) await sandbox.cleanup();
});

/** The CRIU config file's options, one per line, comments dropped. */
function criuOptions(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/** Everything a user could compare in a bundle's top level: names, modes and config.json's bytes. */
function snapshot(bundle: string): string {
  const entries = readdirSync(bundle)
    .sort()
    .map((name) => `${name} ${statSync(join(bundle, name)).mode.toString(8)}`);
  const config = join(bundle, 'config.json');
  return JSON.stringify({
    entries,
    config: existsSync(config) ? readFileSync(config, 'utf8') : null,
  });
}

/** --log lines in runc's JSON format. */
function jsonLogLines(path: string): { level: string; msg: string; time: string }[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { level: string; msg: string; time: string });
}

/** A container that joins a group: the only kind that gets cohort's action script. */
const MEMBER = { 'io.cohort.group': 'g', 'io.cohort.group.size': '2' };

describe('create prepares the bundle for checkpoints', () => {
  it("points a group member's org.criu.config at a per-container file with the action script and page-server TLS", async () => {
    const sandbox = sandboxWith({ criu: { pageServerTls: TLS } });
    const id = sandbox.id('tls');
    const bundle = sandbox.bundle({ args: ['sleep', '1000'], annotations: MEMBER });
    expect(await sandbox.create('cohort', id, bundle)).toMatchObject({
      exitCode: 0,
      stdout: '',
      stderr: '',
    });
    const path = sandbox.criuConfigPath(id);
    expect(readSpec(bundle).annotations?.['org.criu.config']).toBe(path);
    expect((await containerState(sandbox.root, id))?.annotations?.['org.criu.config']).toBe(path);
    expect(criuOptions(path)).toEqual([
      `action-script=${HOOK}`,
      'tls',
      `tls-cacert=${TLS.cacert}`,
      `tls-cacrl=${TLS.cacrl}`,
      `tls-cert=${TLS.cert}`,
      `tls-key=${TLS.key}`,
      'tls-no-cn-verify',
    ]);
    expect((await sandbox.cohort(['start', id])).exitCode).toBe(0);
    expect((await containerState(sandbox.root, id))?.status).toBe('running');
  });

  it('without TLS configured, a group member gets only the action script', async () => {
    const sandbox = sandboxWith();
    const id = sandbox.id('member');
    const bundle = sandbox.bundle({ args: ['true'], annotations: MEMBER });
    expect((await sandbox.cohort(['run', '--bundle', bundle, id])).exitCode).toBe(0);
    expect(criuOptions(sandbox.criuConfigPath(id))).toEqual([`action-script=${HOOK}`]);
  });

  it('leaves the bundle of a container in no group exactly as it was, without TLS configured', async () => {
    const sandbox = sandboxWith();
    const id = sandbox.id('plain');
    const bundle = sandbox.bundle({ args: ['true'], annotations: { 'com.example.x': 'y' } });
    const before = readFileSync(join(bundle, 'config.json'));
    expect((await sandbox.cohort(['run', '--bundle', bundle, id])).exitCode).toBe(0);
    expect(readFileSync(join(bundle, 'config.json'))).toEqual(before);
    expect(existsSync(sandbox.criuConfigPath(id))).toBe(false);
  });

  it('gives a container in no group the page-server TLS options but never the action script', async () => {
    const sandbox = sandboxWith({ criu: { pageServerTls: TLS } });
    const id = sandbox.id('plain-tls');
    const bundle = sandbox.bundle({ args: ['true'] });
    expect((await sandbox.cohort(['run', '--bundle', bundle, id])).exitCode).toBe(0);
    const options = criuOptions(sandbox.criuConfigPath(id));
    expect(options).toContain('tls');
    expect(options.filter((option) => option.startsWith('action-script'))).toEqual([]);
  });

  it("merges a user's own org.criu.config: their lines kept, theirs win, cohort's script added", async () => {
    const sandbox = sandboxWith({
      criu: {
        pageServerTls: { cert: TLS.cert, key: TLS.key, cacert: TLS.cacert, noCnVerify: false },
      },
    });
    const userFile = join(sandbox.dir, 'user-criu.conf');
    const userText =
      '# my CRIU options\ntcp-established\ntls-cacert=/home/me/ca.pem\naction-script=/home/me/script.sh\n';
    writeFileSync(userFile, userText);
    const bundle = sandbox.bundle({
      args: ['sleep', '1000'],
      annotations: { ...MEMBER, 'org.criu.config': userFile },
    });
    const id = sandbox.id('merge');
    const log = join(sandbox.dir, 'merge.log');
    const created = await sandbox.create('cohort', id, bundle, []);
    expect(created).toMatchObject({ exitCode: 0, stdout: '', stderr: '' });
    const annotations = readSpec(bundle).annotations ?? {};
    expect(annotations['org.criu.config']).toBe(sandbox.criuConfigPath(id));
    expect(annotations['io.cohort.criu.user-config']).toBe(userFile);
    const options = criuOptions(sandbox.criuConfigPath(id));
    expect(options).toEqual(
      expect.arrayContaining([
        'tcp-established',
        'tls-cacert=/home/me/ca.pem',
        'action-script=/home/me/script.sh',
        `action-script=${HOOK}`,
        'tls',
        `tls-cert=${TLS.cert}`,
        `tls-key=${TLS.key}`,
      ]),
    );
    expect(options).not.toContain(`tls-cacert=${TLS.cacert}`);
    expect(readFileSync(userFile, 'utf8')).toBe(userText);

    // The same bundle again (a re-created container): the user's file is still the source.
    expect((await sandbox.runc(['delete', '-f', id])).exitCode).toBe(0);
    const again = sandbox.id('merge');
    const recreated = await runToFiles(
      COHORT_BIN,
      [
        '--root',
        sandbox.root,
        '--log',
        log,
        '--log-format',
        'json',
        'run',
        '--bundle',
        bundle,
        '-d',
        again,
      ],
      sandbox.env,
      join(sandbox.dir, again),
    );
    expect(recreated.exitCode).toBe(0);
    expect(readSpec(bundle).annotations?.['io.cohort.criu.user-config']).toBe(userFile);
    expect(criuOptions(sandbox.criuConfigPath(again))).toEqual(options);
    // Keeping the user's tls-cacert is worth a line in the caller's log, never on stderr.
    expect(recreated.stderr).toBe('');
    expect(jsonLogLines(log).some((line) => line.msg.includes('tls-cacert'))).toBe(true);
  });

  it("keeps config.json's mode and every field cohort does not own", async () => {
    const sandbox = sandboxWith();
    const bundle = sandbox.bundle({
      args: ['true'],
      annotations: { ...MEMBER, 'com.example.keep': 'yes' },
      edit: (spec) => {
        spec['x-vendor'] = { nested: [1, 'two', { three: null }] };
        spec.process['x-extra'] = true;
        spec.linux['x-unknown'] = 'kept';
      },
    });
    chmodSync(join(bundle, 'config.json'), 0o640);
    const before = readSpec(bundle);
    const id = sandbox.id('keep');
    expect((await sandbox.cohort(['run', '--bundle', bundle, id])).exitCode).toBe(0);
    expect(statSync(join(bundle, 'config.json')).mode & 0o7777).toBe(0o640);
    const after = readSpec(bundle);
    expect(after).toEqual({
      ...before,
      annotations: { ...before.annotations, 'org.criu.config': sandbox.criuConfigPath(id) },
    });
    // No temp file left beside config.json.
    expect(readdirSync(bundle).sort()).toEqual(['config.json', 'rootfs']);
  });
});

describe('create fails the way runc fails, and touches nothing', () => {
  const brokenBundles: [string, (sandbox: RuntimeSandbox) => string][] = [
    [
      'malformed config.json',
      (sandbox) => {
        const bundle = sandbox.bundle({ args: ['true'] });
        writeFileSync(join(bundle, 'config.json'), '{"ociVersion": "1.0.2", "process": ');
        return bundle;
      },
    ],
    ['missing bundle', (sandbox) => join(sandbox.dir, 'no-such-bundle')],
    [
      'bundle without config.json',
      (sandbox) => {
        const bundle = sandbox.bundle({ args: ['true'] });
        rmSync(join(bundle, 'config.json'));
        return bundle;
      },
    ],
  ];

  it.each(brokenBundles)(
    "%s: plain text on stderr, nothing on stdout, runc's exit code",
    async (_name, make) => {
      const sandbox = sandboxWith();
      const bundle = make(sandbox);
      const before = existsSync(bundle) ? snapshot(bundle) : undefined;
      const id = sandbox.id('broken');
      const viaCohort = await sandbox.create('cohort', id, bundle);
      const viaRunc = await sandbox.create('runc', sandbox.id('broken'), bundle);
      expect(viaRunc.exitCode).not.toBe(0);
      expect(viaCohort.exitCode).toBe(viaRunc.exitCode);
      expect(viaCohort.stdout).toBe('');
      expect(viaCohort.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(viaCohort.stderr).not.toMatch(/^\s*[{[]/);
      expect(existsSync(bundle) ? snapshot(bundle) : undefined).toBe(before);
      expect(await containerState(sandbox.root, id)).toBeUndefined();
    },
  );

  it.each(brokenBundles)(
    '%s: with --log F --log-format json, one JSON error line in F',
    async (_name, make) => {
      const sandbox = sandboxWith();
      const bundle = make(sandbox);
      const before = existsSync(bundle) ? snapshot(bundle) : undefined;
      const logs = { cohort: join(sandbox.dir, 'cohort.log'), runc: join(sandbox.dir, 'runc.log') };
      const viaCohort = await sandbox.create('cohort', sandbox.id('broken'), bundle, []);
      expect(viaCohort.exitCode).not.toBe(0);
      const logged = await sandbox.cohort([
        '--log',
        logs.cohort,
        '--log-format',
        'json',
        'create',
        '--bundle',
        bundle,
        sandbox.id('broken'),
      ]);
      const loggedRunc = await sandbox.runc([
        '--log',
        logs.runc,
        '--log-format',
        'json',
        'create',
        '--bundle',
        bundle,
        sandbox.id('broken'),
      ]);
      expect(logged.exitCode).toBe(loggedRunc.exitCode);
      expect(logged.stdout).toBe('');
      const lines = jsonLogLines(logs.cohort);
      expect(lines).toHaveLength(1);
      const [line] = lines as [{ level: string; msg: string; time: string }];
      expect(line.level).toBe('error');
      expect(line.msg).not.toBe('');
      expect(Number.isNaN(Date.parse(line.time))).toBe(false);
      // The same fields runc writes for its own errors.
      expect(Object.keys(line).sort()).toEqual(
        Object.keys(jsonLogLines(logs.runc)[0] ?? {}).sort(),
      );
      expect(existsSync(bundle) ? snapshot(bundle) : undefined).toBe(before);
    },
  );
});

describe('a broken cohort config', () => {
  const brokenConfigs: [string, string][] = [
    ['not JSON', '{"stateDir": '],
    ['an unknown key', JSON.stringify({ stateDri: '/tmp/x' }) + '\n'],
    ['a value of the wrong kind', JSON.stringify({ session: { heartbeatMs: 5 } }) + '\n'],
  ];

  it.each(brokenConfigs)(
    '(%s) still lets a plain container be created and run',
    async (_name, text) => {
      const sandbox = sandboxWith(text);
      const script = ['sh', '-c', 'echo running; exit 4'];
      const ran = await sandbox.cohort(['run', sandbox.id('plain')], {
        cwd: sandbox.bundle({ args: script }),
      });
      expect(ran).toMatchObject({ exitCode: 4, stdout: 'running\n', stderr: '' });
      const id = sandbox.id('plain');
      const bundle = sandbox.bundle({ args: ['sleep', '1000'] });
      expect(await sandbox.create('cohort', id, bundle)).toMatchObject({
        exitCode: 0,
        stdout: '',
        stderr: '',
      });
      expect((await sandbox.cohort(['start', id])).exitCode).toBe(0);
      for (const args of [
        ['state', id],
        ['list'],
        ['ps', '--format', 'json', id],
        ['exec', id, 'true'],
      ]) {
        const [viaCohort, viaRunc] = [await sandbox.cohort(args), await sandbox.runc(args)];
        expect(viaCohort).toEqual(viaRunc);
        expect(viaCohort.exitCode).toBe(0);
      }
      for (const args of [
        ['pause', id],
        ['resume', id],
        ['kill', id, 'KILL'],
      ]) {
        expect(await sandbox.cohort(args)).toEqual({ exitCode: 0, stdout: '', stderr: '' });
      }
    },
  );

  it('(a missing file named by COHORT_CONFIG) still lets a plain container run', async () => {
    const sandbox = sandboxWith();
    const env = { ...sandbox.env, COHORT_CONFIG: join(sandbox.dir, 'missing.json') };
    const ran = await sandbox.cohort(['run', sandbox.id('plain')], {
      cwd: sandbox.bundle({ args: ['echo', 'ok'] }),
      env,
    });
    expect(ran).toMatchObject({ exitCode: 0, stdout: 'ok\n', stderr: '' });
  });

  it('fails create for a container that joins a group, naming the config key', async () => {
    const sandbox = sandboxWith(JSON.stringify({ session: { heartbeatMs: 5 } }) + '\n');
    const bundle = sandbox.bundle({
      args: ['sleep', '1000'],
      annotations: { 'io.cohort.group': 'shop' },
    });
    const before = snapshot(bundle);
    const id = sandbox.id('grouped');
    const log = join(sandbox.dir, 'group.log');
    const created = await sandbox.cohort([
      '--log',
      log,
      '--log-format',
      'json',
      'create',
      '--bundle',
      bundle,
      id,
    ]);
    expect(created.exitCode).not.toBe(0);
    expect(created.stdout).toBe('');
    expect(created.stderr).toContain('session.heartbeatMs');
    expect(created.stderr).toContain('shop');
    const lines = jsonLogLines(log).filter((line) => line.level === 'error');
    expect(lines).toHaveLength(1);
    expect(lines[0]?.msg).toContain('session.heartbeatMs');
    expect(snapshot(bundle)).toBe(before);
    expect(await containerState(sandbox.root, id)).toBeUndefined();
  });
});
