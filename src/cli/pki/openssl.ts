import { execa } from 'execa';
import { CohortError, ErrorCode } from '../../core/errors.js';

/** Runs the system openssl; its stderr becomes the error message when it fails. */
export async function runOpenssl(
  openssl: string,
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): Promise<void> {
  const result = await execa(openssl, args, {
    env,
    extendEnv: false,
    reject: false,
    stdin: 'ignore',
  });
  if (result.failed && (result.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    throw new CohortError(
      ErrorCode.EngineMissing,
      `openssl not found (${openssl}); install it (Debian: apt-get install openssl) or pass --openssl PATH`,
      { cause: result.cause },
    );
  }
  if (result.exitCode !== 0) {
    const why = String(result.stderr).trim().split('\n')[0] ?? '';
    throw new CohortError(
      ErrorCode.Engine,
      `openssl ${args[0] ?? ''} failed (exit ${result.exitCode ?? result.signal ?? '?'}): ${why}`,
      { cause: result.cause },
    );
  }
}
