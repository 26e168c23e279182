import { execa } from 'execa';
import { CohortError, ErrorCode } from '../../core/errors.js';

/** How cohortctl runs podman: which binary, global flags before the command, the caller's env. */
export interface Podman {
  binary: string;
  globalArgs: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
}

export interface PodmanResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs `podman <global args> <args>`; only a podman that cannot be started throws. */
export async function runPodman(podman: Podman, args: readonly string[]): Promise<PodmanResult> {
  const result = await execa(podman.binary, [...podman.globalArgs, ...args], {
    env: podman.env,
    extendEnv: false,
    reject: false,
    stdin: 'ignore',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.failed && result.exitCode === undefined && result.signal === undefined) {
    if (result.code === 'ENOENT' || result.code === 'EACCES') {
      throw new CohortError(
        ErrorCode.EngineMissing,
        `podman not found (${podman.binary}: ${result.code}); install podman or pass --podman PATH`,
        { cause: result.cause },
      );
    }
    throw new CohortError(ErrorCode.Engine, `podman could not be started: ${result.shortMessage}`, {
      cause: result.cause,
    });
  }
  return {
    exitCode: result.exitCode ?? 128,
    stdout: String(result.stdout),
    stderr: String(result.stderr),
  };
}

/** Runs podman and parses its JSON output; a failure becomes an Engine error with podman's words. */
export async function podmanJson<T>(podman: Podman, args: readonly string[]): Promise<T> {
  const result = await runPodman(podman, args);
  if (result.exitCode !== 0) {
    throw new CohortError(
      ErrorCode.Engine,
      `podman ${args.join(' ')} failed: ${lastLine(result.stderr)}`,
    );
  }
  try {
    return JSON.parse(result.stdout || 'null') as T;
  } catch (error) {
    throw new CohortError(
      ErrorCode.Engine,
      `podman ${args.join(' ')} printed no JSON: ${lastLine(result.stdout)}`,
      {
        cause: error,
      },
    );
  }
}

/** podman's own reason for a failure: its last non-empty stderr line, without the "Error: " prefix. */
export function lastLine(text: string): string {
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  return (lines.at(-1) ?? '(no message)').replace(/^Error: /, '');
}

/**
 * Why a podman checkpoint or restore failed: the runtime's own line (cohort's, which names the
 * group, the member and the cause) when podman passed it on, else podman's last line.
 */
export function failureReason(stderr: string): string {
  const runtime = stderr
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('cohort: '));
  return runtime.at(-1)?.slice('cohort: '.length) ?? lastLine(stderr);
}
