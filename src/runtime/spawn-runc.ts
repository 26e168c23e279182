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

/**
 * Runs runc with the caller's stdin, stdout and signals. With `captureStderr`, stderr is copied
 * through and its tail kept, so a failure can name runc's own reason; only for commands whose
 * container never inherits runc's stderr (checkpoint), or we would wait on the container.
 * Resolves with the exit code a shell would see.
 */
export function spawnRunc(
  runc: string,
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  captureStderr = false,
): Promise<RuncExit> {
  return new Promise((resolve, reject) => {
    const child = spawn(runc, args, {
      stdio: ['inherit', 'inherit', captureStderr ? 'pipe' : 'inherit'],
      env,
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
