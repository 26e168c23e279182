import { randomInt } from 'node:crypto';
import { spawn as spawnPty, type IPty } from 'node-pty';

/** A process on a pseudo-terminal, with what it printed so far and a way to wait for more. */
export interface PtySession {
  pty: IPty;
  /** Everything the terminal showed, as received. */
  output(): string;
  /** Types text as a user would (end lines with "\r"). */
  type(text: string): void;
  /**
   * Resolves with the output once the part from offset `from` on matches; rejects after
   * `timeoutMs` (a safety net) with what was seen.
   */
  waitFor(pattern: RegExp, options?: { from?: number; timeoutMs?: number }): Promise<string>;
  /** Resolves with the exit code (128 + signal when killed). */
  exited: Promise<number>;
}

const live = new Set<IPty>();

/** Kills every pty session still running (for afterEach/afterAll: a failed test leaves its shell). */
export function killPtySessions(): void {
  for (const pty of live) pty.kill('SIGKILL');
  live.clear();
}

/** Starts a command on a new 80x24 pty. */
export function startPty(
  cmd: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): PtySession {
  const pty = spawnPty(cmd, args, {
    name: 'xterm',
    cols: 80,
    rows: 24,
    cwd: options.cwd ?? process.cwd(),
    env: options.env ?? (process.env as Record<string, string>),
  });
  let seen = '';
  const waiters = new Set<() => void>();
  pty.onData((data) => {
    seen += data;
    for (const waiter of waiters) waiter();
  });
  live.add(pty);
  const exited = new Promise<number>((resolve) => {
    pty.onExit(({ exitCode, signal }) => {
      live.delete(pty);
      resolve(signal ? 128 + signal : exitCode);
    });
  });
  return {
    pty,
    output: () => seen,
    type: (text) => pty.write(text),
    waitFor(pattern, { from = 0, timeoutMs = 20_000 } = {}) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (!pattern.test(seen.slice(from))) return;
          cleanup();
          resolve(seen);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`terminal never showed ${pattern}; it showed:\n${seen}`));
        }, timeoutMs);
        const cleanup = (): void => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    exited,
  };
}

/**
 * busybox sh's prompt for root at the end of what the terminal shows, maybe followed by control
 * sequences: its cursor query (left unanswered: busybox drops keys that arrive in the same read
 * as an answer) or the clear-to-end of a redraw after a resize.
 */
// eslint-disable-next-line no-control-regex -- matching terminal control sequences is the point
const PROMPT = /# (\x1b\[[0-9;]*[A-Za-z])*$/;

/**
 * Waits for the shell's prompt before each line (keys typed earlier race with the shell's
 * terminal setup), types `echo hello-$((n + 1))` and waits for the shell's own answer (the echo
 * of the typed line shows only the expression), checks the terminal is 80x24, then types
 * `exit <code>`; resolves with the exit code the session ended with.
 */
export async function converseAndExit(session: PtySession, code: number): Promise<number> {
  try {
    return await converse(session, code);
  } catch (error) {
    session.pty.kill('SIGKILL');
    throw error;
  }
}

async function converse(session: PtySession, code: number): Promise<number> {
  const n = randomInt(1000, 1_000_000);
  await session.waitFor(PROMPT);
  let from = session.output().length;
  session.type(`echo hello-$((${n} + 1))\r`);
  await session.waitFor(new RegExp(`hello-${n + 1}\\r*\\n[^]*${PROMPT.source}`), { from });
  from = session.output().length;
  session.type('stty size; tty\r');
  await session.waitFor(new RegExp(`24 80\\r*\\n/dev/pts/\\d+\\r*\\n[^]*${PROMPT.source}`), {
    from,
  });
  session.type(`exit ${code}\r`);
  return session.exited;
}
