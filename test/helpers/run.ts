import { execa, type Options } from 'execa';
import './fds.js';

/** What a finished process left behind; `exitCode` is 128 + signal number when it was killed. */
export interface RunResult {
  stdout: string;
  stderr: string;
  exitCode: number;
  signal?: string;
}

export interface RunOptions {
  cwd?: string;
  /** The whole environment of the child (not merged with the test's) when given. */
  env?: Record<string, string | undefined>;
  input?: string;
  /** Give up (and kill the child) after this long; a safety net, never an assertion. */
  timeoutMs?: number;
}

const SIGNAL_NUMBERS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };

/** Runs a command to completion and never throws on a non-zero exit. */
export async function run(
  cmd: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<RunResult> {
  const execaOptions: Options = {
    reject: false,
    stripFinalNewline: false,
    stdin: options.input === undefined ? 'ignore' : 'pipe',
    timeout: options.timeoutMs ?? 60_000,
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    ...(options.input === undefined ? {} : { input: options.input }),
    ...(options.env === undefined ? {} : { env: options.env, extendEnv: false }),
  };
  const result = await execa(cmd, args, execaOptions);
  const signal = result.signal ?? undefined;
  const exitCode =
    result.exitCode ?? 128 + (signal === undefined ? 0 : (SIGNAL_NUMBERS[signal] ?? 0));
  const out: RunResult = {
    stdout: String(result.stdout ?? ''),
    stderr: String(result.stderr ?? ''),
    exitCode,
  };
  if (signal !== undefined) out.signal = signal;
  if (result.failed && result.exitCode === undefined && signal === undefined) {
    throw new Error(`${cmd} could not be started: ${result.message}`);
  }
  return out;
}

/** Runs a command and throws with its output when it fails: for setup steps, not for assertions. */
export async function runOk(
  cmd: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<RunResult> {
  const result = await run(cmd, args, options);
  if (result.exitCode !== 0) {
    throw new Error(
      `${cmd} ${args.join(' ')} exited ${result.exitCode}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`,
    );
  }
  return result;
}
