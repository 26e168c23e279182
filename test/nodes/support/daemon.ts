import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { COHORT_BIN } from '../../helpers/runc.js';

/** bin/cohortd, next to bin/cohort: the daemon as it is installed. */
export const COHORTD_BIN = COHORT_BIN.replace(/cohort$/, 'cohortd');

/** One line of a daemon's pino log: `msg` names the event, `time` is ISO. */
export interface LogLine {
  msg: string;
  time: string;
  level: string;
  [field: string]: unknown;
}

/** A daemon in its own process (cohortd, or an agent in a node's namespace), logging to a file. */
export interface DaemonProcess {
  readonly pid: number;
  readonly logFile: string;
  /** The JSON lines logged so far (other lines, such as a crash's, are in `text()`). */
  lines(): LogLine[];
  text(): string;
  /** The first line (from `after` on) that is event `msg` and passes `match`, waiting for it. */
  waitFor(
    msg: string,
    match?: (line: LogLine) => boolean,
    timeoutMs?: number,
    after?: number,
  ): Promise<LogLine>;
  /** Sends `signal` and waits (bounded) for the process to end. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  readonly exited: Promise<number | null>;
}

const running = new Set<ChildProcess>();
// A test process that ends without its cleanup still takes its daemons with it.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Starts `prefix… bin/cohortd argv` with `env` only; its stderr goes to `logFile`. */
export function spawnDaemon(
  argv: readonly string[],
  options: { env: Record<string, string>; logFile: string; prefix?: readonly string[] },
): DaemonProcess {
  const fd = openSync(options.logFile, 'a');
  const [command, ...args] = [...(options.prefix ?? []), COHORTD_BIN, ...argv];
  const child = spawn(command ?? COHORTD_BIN, args, {
    env: options.env,
    stdio: ['ignore', 'ignore', fd],
  });
  closeSync(fd);
  running.add(child);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  const text = (): string => readFileSync(options.logFile, 'utf8');
  const lines = (): LogLine[] =>
    text()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as LogLine);
  let done = false;
  void exited.then(() => (done = true));
  return {
    pid: child.pid ?? -1,
    logFile: options.logFile,
    lines,
    text,
    exited,
    async waitFor(msg, match = () => true, timeoutMs = 20_000, after = 0) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const found = lines().find(
          (line) => line.msg === msg && Date.parse(line.time) >= after && match(line),
        );
        if (found !== undefined) return found;
        if (done || Date.now() > until) {
          const why = done ? 'the process ended' : `not within ${timeoutMs} ms`;
          throw new Error(
            `${options.logFile}: no "${msg}" line (${why}); log:\n${text().slice(-3000)}`,
          );
        }
        await sleep(50);
      }
    },
    async kill(signal = 'SIGTERM') {
      if (done) return;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
