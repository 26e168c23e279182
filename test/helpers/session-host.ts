import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { silentLogger } from '../../src/coordinator/server/logger.js';
import { startSessionHost, type SessionHost } from '../../src/runtime/host/session-host.js';
import { REPO_ROOT } from './runc.js';

/**
 * The session host a node's agent runs, started in this process for cohort's `stateDir`: group
 * members' checkpoints and restores through bin/cohort need it. Resolves once it serves.
 */
export async function startTestSessionHost(
  stateDir: string,
  poolSize?: number,
): Promise<SessionHost> {
  const host = startSessionHost({
    stateDir,
    logger: silentLogger,
    ...(poolSize === undefined ? {} : { poolSize }),
  });
  await Promise.race([
    host.ready,
    new Promise((_, reject) =>
      setTimeout(
        () => reject(new Error(`no session host serves ${host.dir} within 10 s`)),
        10_000,
      ).unref(),
    ),
  ]);
  return host;
}

/** A session host in a child process, to be killed as a crash would: `kill()` is SIGKILL. */
export interface HostProcess {
  pid: number;
  kill(): Promise<void>;
}

export async function startSessionHostProcess(stateDir: string): Promise<HostProcess> {
  const [host] = spawnSessionHostProcesses(stateDir, 1);
  if (host === undefined) throw new Error('no host process');
  const pidFile = join(stateDir, 'host', 'pid');
  for (let waited = 0; readPid(pidFile) !== host.pid; waited += 50) {
    if (waited > 10_000) throw new Error(`the host process never served ${pidFile}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return host;
}

/** `count` host processes for one state dir, started at once, without waiting for any to serve. */
export function spawnSessionHostProcesses(stateDir: string, count: number): HostProcess[] {
  const module = (path: string) => pathToFileURL(join(REPO_ROOT, 'dist', 'src', path)).href;
  const script = [
    `const { startSessionHost } = await import(${JSON.stringify(module('runtime/host/session-host.js'))});`,
    `const { silentLogger } = await import(${JSON.stringify(module('coordinator/server/logger.js'))});`,
    `startSessionHost({ stateDir: ${JSON.stringify(stateDir)}, logger: silentLogger });`,
    'setInterval(() => undefined, 60_000);',
  ].join('\n');
  return Array.from({ length: count }, () => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    return {
      pid: child.pid ?? 0,
      async kill() {
        child.kill('SIGKILL');
        await exited;
      },
    };
  });
}

/** The pid a host file (pid, owner) names. */
export function hostFilePid(stateDir: string, file: 'pid' | 'owner'): number | undefined {
  return readPid(join(stateDir, 'host', file));
}

function readPid(path: string): number | undefined {
  try {
    return Number(readFileSync(path, 'utf8').trim());
  } catch {
    return undefined;
  }
}
