import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CohortError, ErrorCode } from '../core/errors.js';
import { MIN_CRIU, parseCriuVersion, runsHooksUnderRunc } from '../criu/version.js';

const run = promisify(execFile);

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
  if (!runsHooksUnderRunc(version)) {
    throw new CohortError(
      ErrorCode.Criu,
      `${criu} is CRIU ${version?.join('.') ?? 'of unknown version'}, but runc runs cohort's action script only with CRIU >= ${MIN_CRIU.join('.')}; install a newer CRIU first in PATH or give runc --criu PATH`,
    );
  }
}
