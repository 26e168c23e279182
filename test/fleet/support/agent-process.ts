import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../helpers/runc.js';

export interface AgentProcessOptions {
  node: string;
  coordinator: string;
  workDir: string;
  /** The cohort config the node's runtime reads (its coordinator, state dir). */
  config: string;
  /** The agent's environment: podman's config and storage, PATH with CRIU, credentials. */
  env: Record<string, string>;
  /** Where its stderr (its log lines) goes. */
  logFile: string;
  extraArgs?: readonly string[];
}

/** `bin/cohortd agent` as its own process, as on a node that does not run cohortd. */
export interface AgentProcess {
  child: ChildProcess;
  exited: Promise<number | null>;
  /** SIGKILL: the agent dies with no chance to clean up. */
  kill(): Promise<void>;
  /** SIGTERM, then waits for it to end. */
  stop(): Promise<void>;
  log(): string;
}

export function startAgentProcess(o: AgentProcessOptions): AgentProcess {
  const log = openSync(o.logFile, 'a');
  const child = spawn(
    join(REPO_ROOT, 'bin', 'cohortd'),
    [
      'agent',
      '--node',
      o.node,
      '--coordinator',
      o.coordinator,
      '--work-dir',
      o.workDir,
      '--config',
      o.config,
      '--poll-interval',
      '500ms',
      ...(o.extraArgs ?? []),
    ],
    { env: o.env, stdio: ['ignore', 'ignore', log] },
  );
  closeSync(log);
  // A test that dies without stop() must not leave its agent behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      process.off('exit', killOnExit);
      resolve(code);
    }),
  );
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return {
    child,
    exited,
    kill: () => end('SIGKILL'),
    stop: () => end('SIGTERM'),
    log: () => readFileSync(o.logFile, 'utf8'),
  };
}
