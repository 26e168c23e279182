import { spawn } from 'node:child_process';
import {
  closeSync,
  constants,
  mkdtempSync,
  openSync,
  readdirSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_HOOK_PATH } from '../../src/core/package-paths.js';
import { CriuAction } from '../../src/criu/actions.js';
import { answeredActions, planAction, type SessionKind } from '../../src/session/action-plan.js';
import { CallChannel } from '../../src/runtime/host/channel.js';
import { answerHook } from '../../src/runtime/host/hook-desk.js';
import type { HookRequest, HookService } from '../../src/session/hook-service.js';

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

/**
 * A session host's channel answering with `answer`, and the environment the front door gives
 * runc (and so the hook) for it: the host's channel code, without a front door call around it.
 */
async function channel(
  answer: (request: HookRequest) => { exitCode: number; message: string },
  options: { kinds?: SessionKind[]; timeoutSeconds?: number } = {},
) {
  const dir = mkdtempSync(join(tmpdir(), 'cohort-hook-'));
  const requests: HookRequest[] = [];
  const kinds = options.kinds ?? ['checkpoint', 'restore'];
  const hook: HookService = {
    handler: async (request) => {
      requests.push(request);
      return answer(request);
    },
    actions: kinds.flatMap((kind) => answeredActions(kind)),
    timeoutSeconds: options.timeoutSeconds ?? 30,
  };
  const hookChannel = await CallChannel.create(join(dir, 'session'));
  hookChannel.onLine = (line) => void answerHook(line, hook, (reply) => hookChannel.reply(reply));
  cleanups.push(() => {
    hookChannel.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const env = {
    COHORT_SESSION_DIR: hookChannel.dir,
    COHORT_SESSION_PID: String(process.pid),
    COHORT_ACTIONS: hook.actions.join(' '),
    COHORT_HOOK_TIMEOUT: String(hook.timeoutSeconds),
  };
  return { env, requests, dir: hookChannel.dir };
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
  it.each(ALL_ACTIONS)(
    'fails closed at %s when no cohort session runs CRIU (a group member dumped by bare runc)',
    async (action) => {
      const result = await runHook(criu(action, 4242));
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain('checkpoint and restore it through cohort');
    },
  );

  it.each(['checkpoint', 'restore'] as const)(
    'asks the session at exactly the actions the %s plan answers, and at no other',
    async (kind) => {
      for (const action of Object.values(CriuAction)) {
        const session = await channel(() => ({ exitCode: 0, message: '' }), { kinds: [kind] });
        expect((await runHook({ ...session.env, ...criu(action, 4242) })).exitCode).toBe(0);
        const asked = session.requests.map((request) => request.action);
        expect(asked).toEqual(planAction(kind, action).kind === 'ignore' ? [] : [action]);
      }
    },
  );

  it.each([
    'network-unlock',
    'setup-namespaces',
    'post-setup-namespaces',
    'post-resume',
    'orphan-pts-master',
  ])('exits 0 at %s without asking the session', async (action) => {
    const session = await channel(() => ({ exitCode: 1, message: 'must not be asked' }));
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
    const session = await channel(() => ({ exitCode: 0, message: '' }));
    expect(await runHook({ ...session.env, ...criu(action, pid) })).toEqual({
      exitCode: 0,
      stderr: '',
    });
    expect(session.requests).toEqual([pid === undefined ? { action } : { action, initPid: pid }]);
  });

  it("exits non-zero with the session's reason when the round aborts, so CRIU aborts", async () => {
    const session = await channel(() => ({
      exitCode: 1,
      message: 'member web/cache failed at post-dump: disk full',
    }));
    const result = await runHook({ ...session.env, ...criu('post-dump', 4242) });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('post-dump: member web/cache failed at post-dump: disk full');
  });

  it('ignores a reply left in the channel by an earlier hook', async () => {
    const session = await channel(() => ({ exitCode: 0, message: '' }));
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
    const session = await channel(() => new Promise<never>(() => undefined) as never);
    const result = await runHook({
      ...session.env,
      COHORT_SESSION_PID: '2147483646',
      ...criu('post-dump', 4242),
    });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('is gone; failing closed');
  });

  it.each([
    ['unset', undefined],
    ['empty', ''],
    ['0 (kill -0 0 would signal the hook itself)', '0'],
  ])('fails closed at once when COHORT_SESSION_PID is %s', async (_name, pid) => {
    const session = await channel(() => new Promise<never>(() => undefined) as never);
    const env: Record<string, string> = { ...session.env, ...criu('post-dump', 4242) };
    if (pid === undefined) delete env.COHORT_SESSION_PID;
    else env.COHORT_SESSION_PID = pid;
    const started = Date.now();
    const result = await runHook(env);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('names no session process; failing closed');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('fails closed at once when the FIFOs are missing, and creates no file in their place', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cohort-hook-empty-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const result = await runHook({
      COHORT_SESSION_DIR: dir,
      COHORT_SESSION_PID: String(process.pid),
      COHORT_ACTIONS: 'post-dump',
      COHORT_HOOK_TIMEOUT: '30',
      ...criu('post-dump', 4242),
    });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('is gone; failing closed');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('fails closed when a live session never answers, once COHORT_HOOK_TIMEOUT has passed', async () => {
    const session = await channel(() => new Promise<never>(() => undefined) as never, {
      timeoutSeconds: 2,
    });
    const started = Date.now();
    const result = await runHook({ ...session.env, ...criu('post-dump', 4242) });
    const took = Date.now() - started;
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('no answer from session');
    expect(took).toBeGreaterThanOrEqual(1_000);
    expect(took).toBeLessThan(10_000);
  });
});
