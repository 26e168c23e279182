// One call of a runtime binary, timed from spawn to exit. Never spawnSync: the session host
// serving bin/cohort runs in this process's event loop, and a blocked loop would never answer.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

export const GNU_TIME = '/usr/bin/time';

export interface TimedCall {
  ms: number;
  exitCode: number;
}

/**
 * Runs cmd with stdin and stdout on /dev/null and stderr into `errPath` (a created container
 * keeps runc's stdio, so a pipe would never close), or on /dev/null too when a container started
 * by the call must be dumpable (CRIU cannot dump a host file); throws unless it exits 0.
 */
export function timedCall(
  cmd: string,
  args: readonly string[],
  env: Record<string, string>,
  errPath?: string,
): Promise<TimedCall> {
  const err = errPath === undefined ? 'ignore' : openSync(errPath, 'w');
  const started = performance.now();
  return new Promise<TimedCall>((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'ignore', err] });
    if (typeof err === 'number') closeSync(err);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      const ms = performance.now() - started;
      const exitCode = code ?? 128;
      if (exitCode === 0) resolve({ ms, exitCode });
      else {
        const text = errPath === undefined ? '' : readFileSync(errPath, 'utf8').trim();
        reject(new Error(`${cmd} ${args.join(' ')} exited ${code ?? signal}: ${text}`));
      }
    });
  });
}

/** Peak RSS (KiB) of a call and its waited-for children, as GNU time reports it from wait4. */
export async function peakRssKiB(
  cmd: string,
  args: readonly string[],
  env: Record<string, string>,
  errPath: string,
): Promise<number> {
  const out = `${errPath}.rss`;
  await timedCall(GNU_TIME, ['-f', '%M', '-o', out, cmd, ...args], env, errPath);
  const kib = Number(readFileSync(out, 'utf8').trim().split('\n').pop());
  rmSync(out, { force: true });
  return kib;
}
