import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CohortError, ErrorCode } from '../core/errors.js';

const run = promisify(execFile);

/** runc runs action scripts from the org.criu.config file only with CRIU 3.19 or newer. */
export const MIN_CRIU = [3, 19] as const;

export function parseCriuVersion(text: string): [number, number] | undefined {
  const match = /Version:\s*(\d+)\.(\d+)/.exec(text);
  return match === null ? undefined : [Number(match[1]), Number(match[2])];
}

/**
 * Refuses a coordinated checkpoint that CRIU would run without cohort's hook: it would
 * finish uncoordinated, which is exactly what a group must never get.
 */
export async function requireCriuForHooks(
  criu: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<void> {
  let stdout = '';
  try {
    stdout = (await run(criu, ['--version'], { env })).stdout;
  } catch (error) {
    throw new CohortError(
      ErrorCode.Criu,
      `cannot run "${criu} --version" (${(error as NodeJS.ErrnoException).code ?? String(error)}); install CRIU >= ${MIN_CRIU.join('.')} or give runc --criu PATH`,
      { cause: error },
    );
  }
  const version = parseCriuVersion(stdout);
  const [major, minor] = MIN_CRIU;
  if (version === undefined || version[0] < major || (version[0] === major && version[1] < minor)) {
    throw new CohortError(
      ErrorCode.Criu,
      `${criu} is CRIU ${version?.join('.') ?? 'of unknown version'}, but runc runs cohort's action script only with CRIU >= ${MIN_CRIU.join('.')}; install a newer CRIU first in PATH or give runc --criu PATH`,
    );
  }
}
