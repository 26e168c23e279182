import { writeSync } from 'node:fs';
import { loadConfig } from '../config/load.js';
import type { CohortConfig } from '../config/schema.js';
import { toCohortError } from '../core/errors.js';
import { reportToCaller } from '../core/runc-log.js';
import { parseRuntimeArgv } from '../runtime/argv.js';
import type { RuntimeContext, Verdict } from '../runtime/context.js';
import { dispatch } from '../runtime/dispatch.js';
import { spawnRuncInherited } from '../runc/spawn.js';

/**
 * The Node half of bin/cohort: runs an intercepted command and tells the front door, through
 * the verdict fd, whether to exec runc with the caller's argv.
 */
export async function main(
  raw: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
): Promise<number> {
  const argv = parseRuntimeArgv(raw);
  const target = { logPath: argv.globals.log, logFormat: argv.globals.logFormat };
  let config: Readonly<CohortConfig> | undefined;
  const context: RuntimeContext = {
    argv,
    cwd,
    env: callerEnv(env),
    config: () => (config ??= loadConfig({ env, resolvedRunc: env.COHORT_RUNC_RESOLVED })),
    runc: () => env.COHORT_RUNC ?? env.COHORT_RUNC_RESOLVED ?? context.config().runc,
    report: (level, message) => reportToCaller(target, level, message),
  };
  let verdict: Verdict;
  try {
    verdict = await dispatch(context);
  } catch (error) {
    context.report('error', toCohortError(error).message);
    return 1;
  }
  if (verdict.kind === 'done') return verdict.exitCode;
  const verdictFd = env.COHORT_VERDICT_FD;
  if (verdictFd !== undefined) {
    writeSync(Number(verdictFd), 'exec\n');
    return 0;
  }
  // Called without the front door: run runc ourselves.
  return spawnRuncInherited(context.runc(), raw, context.env);
}

/** The environment runc must see: the caller's, without the front door's private variables. */
function callerEnv(
  env: Readonly<Record<string, string | undefined>>,
): Record<string, string | undefined> {
  const copy = { ...env };
  delete copy.COHORT_VERDICT_FD;
  delete copy.COHORT_RUNC_RESOLVED;
  return copy;
}
