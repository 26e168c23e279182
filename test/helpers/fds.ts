import { spawn, type StdioOptions } from 'node:child_process';
import {
  closeSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import type { RunResult } from './run.js';

export interface SpawnWithFdsOptions {
  /** Extra descriptors by the number the child sees: `{ 3: fd, 7: fd }`; every other fd >= 3 stays closed. */
  fds?: Record<number, number>;
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** stdin: a file descriptor, or nothing (/dev/null). */
  stdin?: number;
  /** Kill the child after this long; a safety net, not an assertion. */
  timeoutMs?: number;
}

export interface SpawnedResult extends RunResult {
  /** The child's pid, as the caller's fork gave it. */
  pid: number;
}

const O_CLOEXEC = 0o2000000;

/**
 * Closes descriptors this process inherited by accident (a parent's leak): every fd Node opens
 * is close-on-exec, so one without the flag at fd >= 3 came from outside and would reach
 * every child. Keeps Node's IPC channel to the test runner and ptys (node-pty's master fd is
 * not close-on-exec either). Runs when this module loads.
 */
export function closeStrayFds(): void {
  const keep = new Set([0, 1, 2, Number(process.env.NODE_CHANNEL_FD ?? -1)]);
  for (const name of readdirSync('/proc/self/fd')) {
    const fd = Number(name);
    if (keep.has(fd)) continue;
    let flags: number;
    try {
      const match = /^flags:\s+([0-7]+)$/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'));
      if (match === null) continue;
      flags = parseInt(match[1] as string, 8);
    } catch {
      continue;
    }
    if ((flags & O_CLOEXEC) === 0 && !isPty(fd)) {
      try {
        closeSync(fd);
      } catch {
        // Already gone.
      }
    }
  }
}

function isPty(fd: number): boolean {
  try {
    const target = readlinkSync(`/proc/self/fd/${fd}`);
    return target === '/dev/ptmx' || target.startsWith('/dev/pts/');
  } catch {
    return false;
  }
}

/**
 * Spawns with exactly fds 0-2 plus the listed ones: Node passes no other descriptor on, so
 * the child gets no stray fds from the test runner.
 */
export function spawnWithFds(
  cmd: string,
  args: readonly string[],
  options: SpawnWithFdsOptions = {},
): Promise<SpawnedResult> {
  const fds = options.fds ?? {};
  const highest = Math.max(2, ...Object.keys(fds).map(Number));
  const stdio: StdioOptions = [options.stdin ?? 'ignore', 'pipe', 'pipe'];
  for (let n = 3; n <= highest; n += 1) stdio.push(fds[n] ?? 'ignore');
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio, env: options.env, cwd: options.cwd });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const result: SpawnedResult = { stdout, stderr, exitCode: code ?? 128, pid: child.pid ?? -1 };
      if (signal !== null) result.signal = signal;
      resolve(result);
    });
  });
}

/** Writes `content` to a new file in `dir` and opens it for reading; close it with closeFds. */
export function openFixture(
  dir: string,
  name: string,
  content: string,
): { fd: number; path: string } {
  const path = join(dir, name);
  writeFileSync(path, content);
  return { fd: openSync(path, 'r'), path };
}

export function closeFds(fds: Iterable<number>): void {
  for (const fd of fds) closeSync(fd);
}

/** A live process's open descriptors and what each points at (`/path`, `pipe:[n]`, `socket:[n]`). */
export function openFds(pid: number | 'self'): Map<number, string> {
  const map = new Map<number, string>();
  const dir = `/proc/${pid}/fd`;
  for (const name of readdirSync(dir)) {
    try {
      map.set(Number(name), readlinkSync(join(dir, name)));
    } catch {
      // Closed between the listing and the readlink (the listing's own fd, for one).
    }
  }
  return map;
}

closeStrayFds();
