import { spawn } from 'node:child_process';
import { constants } from 'node:os';

/** Signals a caller sends to "runc" that must reach the real one. */
const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = [
  'SIGINT',
  'SIGTERM',
  'SIGHUP',
  'SIGQUIT',
  'SIGUSR1',
  'SIGUSR2',
  'SIGWINCH',
];

export interface RuncExit {
  exitCode: number;
  /** The last lines runc wrote to stderr (which still reached the caller's stderr whole). */
  stderrTail: string;
}

export interface SpawnRuncOptions {
  /**
   * Copy stderr through and keep its tail, so a failure can name runc's own reason; only for
   * commands whose container never inherits runc's stderr (checkpoint), or we would wait on it.
   */
  captureStderr?: boolean;
  /** Descriptors the caller meant runc to have (`--status-fd`), passed at the same numbers. */
  keepFds?: readonly number[];
}

/**
 * Node leaves descriptors it inherited open across exec: bash closes every one above 2 that
 * the caller did not mean runc to have, then becomes runc.
 */
const CLOSE_STRAY_FDS = [
  'for path in /proc/self/fd/*; do',
  '  fd=${path##*/}',
  '  case " $COHORT_KEEP_FDS " in *" $fd "*) continue ;; esac',
  '  [ "$fd" -gt 2 ] && eval "exec $fd>&-" 2>/dev/null',
  'done',
  'unset COHORT_KEEP_FDS',
  'exec "$@"',
].join('\n');

/** Runs runc with the caller's stdin, stdout, signals and meant fds; resolves with the exit code a shell would see. */
export function spawnRunc(
  runc: string,
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  options: SpawnRuncOptions = {},
): Promise<RuncExit> {
  const { captureStderr = false, keepFds = [] } = options;
  const stdio: (number | 'inherit' | 'pipe' | 'ignore')[] = [
    'inherit',
    'inherit',
    captureStderr ? 'pipe' : 'inherit',
  ];
  for (let fd = 3; fd <= Math.max(2, ...keepFds); fd += 1)
    stdio.push(keepFds.includes(fd) ? fd : 'ignore');
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/bash', ['-c', CLOSE_STRAY_FDS, 'runc', runc, ...args], {
      stdio,
      env: { ...env, COHORT_KEEP_FDS: keepFds.join(' ') },
    });
    let tail = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      process.stderr.write(chunk);
      tail = (tail + chunk.toString('utf8')).slice(-4096);
    });
    const forward = (signal: NodeJS.Signals): void => {
      child.kill(signal);
    };
    for (const signal of FORWARDED_SIGNALS) process.on(signal, forward);
    const stop = (): void => {
      for (const signal of FORWARDED_SIGNALS) process.off(signal, forward);
    };
    child.once('error', (error) => {
      stop();
      reject(error);
    });
    child.once(
      captureStderr ? 'close' : 'exit',
      (code: number | null, signal: NodeJS.Signals | null) => {
        stop();
        const exitCode = code ?? 128 + (signal === null ? 0 : (constants.signals[signal] ?? 0));
        resolve({ exitCode, stderrTail: lastLine(tail) });
      },
    );
  });
}

/** Runs runc as the caller would have, when no front door is there to exec it. */
export async function spawnRuncInherited(
  runc: string,
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): Promise<number> {
  return (await spawnRunc(runc, args, env)).exitCode;
}

function lastLine(text: string): string {
  const lines = text.trim().split('\n');
  const line = lines[lines.length - 1] ?? '';
  // runc's logrus text form: keep just msg="..." when it is there.
  const msg = /msg="((?:[^"\\]|\\.)*)"/.exec(line);
  // logrus escapes newlines inside msg; the caller gets one readable line.
  return msg === null ? line : (msg[1] ?? line).replace(/\\n/g, '; ').replace(/\\"/g, '"');
}
