import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, rmSync, writeSync, closeSync, constants } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_HOOK_PATH } from '../../src/core/package-paths.js';
import { HookChannel, type HookRequest } from '../../src/session/hook-channel.js';

interface HookRun {
  exitCode: number;
  stderr: string;
}

/** Runs the hook the way CRIU does: no stdin, CRTOOLS_* in the environment, exit code read. */
function runHook(env: Record<string, string>): Promise<HookRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(DEFAULT_HOOK_PATH, [], {
      env: { PATH: '/usr/bin:/bin', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ exitCode: code ?? -1, stderr }));
  });
}

const criu = (action: string, initPid?: number): Record<string, string> => ({
  CRTOOLS_SCRIPT_ACTION: action,
  CRTOOLS_IMAGE_DIR: `/proc/${process.pid}/fd/5`,
  ...(initPid === undefined ? {} : { CRTOOLS_INIT_PID: String(initPid) }),
});

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function channel(answer: (request: HookRequest) => { exitCode: number; message: string }) {
  const dir = mkdtempSync(join(tmpdir(), 'cohort-hook-'));
  const requests: HookRequest[] = [];
  const hookChannel = new HookChannel(join(dir, 'session'), async (request) => {
    requests.push(request);
    return answer(request);
  });
  cleanups.push(() => {
    hookChannel.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { env: { ...hookChannel.env() }, requests, dir: hookChannel.dir };
}

const ALL_ACTIONS = [
  'pre-dump',
  'network-lock',
  'post-dump',
  'network-unlock',
  'pre-restore',
  'setup-namespaces',
  'post-setup-namespaces',
  'post-restore',
  'pre-resume',
  'post-resume',
  'orphan-pts-master',
];

describe('hooks/criu-action, driven as CRIU drives it', () => {
  it.each(ALL_ACTIONS)('exits 0 at %s when no cohort session started the dump', async (action) => {
    expect(await runHook(criu(action, 4242))).toEqual({ exitCode: 0, stderr: '' });
  });

  it.each([
    'network-unlock',
    'setup-namespaces',
    'post-setup-namespaces',
    'post-resume',
    'orphan-pts-master',
  ])('exits 0 at %s without asking the session', async (action) => {
    const session = channel(() => ({ exitCode: 1, message: 'must not be asked' }));
    expect((await runHook({ ...session.env, ...criu(action, 4242) })).exitCode).toBe(0);
    expect(session.requests).toEqual([]);
  });

  it.each([
    ['pre-dump', 4242],
    ['network-lock', 4242],
    ['post-dump', 4242],
    ['pre-restore', undefined],
    ['post-restore', 5151],
    ['pre-resume', 5151],
  ] as const)('asks the session at %s and passes the init pid CRIU gave', async (action, pid) => {
    const session = channel(() => ({ exitCode: 0, message: '' }));
    expect(await runHook({ ...session.env, ...criu(action, pid) })).toEqual({
      exitCode: 0,
      stderr: '',
    });
    expect(session.requests).toEqual([pid === undefined ? { action } : { action, initPid: pid }]);
  });

  it("exits non-zero with the session's reason when the round aborts, so CRIU aborts", async () => {
    const session = channel(() => ({
      exitCode: 1,
      message: 'member web/cache failed at post-dump: disk full',
    }));
    const result = await runHook({ ...session.env, ...criu('post-dump', 4242) });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('post-dump: member web/cache failed at post-dump: disk full');
  });

  it('ignores a reply left in the channel by an earlier hook', async () => {
    const session = channel(() => ({ exitCode: 0, message: '' }));
    const reply = openSync(join(session.dir, 'reply'), constants.O_RDWR);
    writeSync(reply, '1 1 stale answer for a hook that died\n');
    closeSync(reply);
    expect((await runHook({ ...session.env, ...criu('post-dump', 4242) })).exitCode).toBe(0);
  });

  it('fails closed when the session channel is gone', async () => {
    const result = await runHook({
      COHORT_SESSION_DIR: '/nonexistent/cohort-session',
      COHORT_SESSION_PID: String(process.pid),
      ...criu('post-dump', 4242),
    });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('failing closed');
  });

  it('fails closed when the session process is dead, instead of waiting forever', async () => {
    const session = channel(() => new Promise<never>(() => undefined) as never);
    const result = await runHook({
      ...session.env,
      COHORT_SESSION_PID: '2147483646',
      ...criu('post-dump', 4242),
    });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('is gone; failing closed');
  });
});
