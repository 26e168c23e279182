import { existsSync, writeSync } from 'node:fs';
import { configLocation, loadConfig } from '../config/load.js';
import { resolveRunc } from '../config/runc.js';
import type { CohortConfig } from '../config/schema.js';
import { toCohortError } from '../core/errors.js';
import { reportToCaller } from '../core/runc-log.js';
import { spawnRuncInherited } from '../runc/spawn.js';
import { parseRuntimeArgv } from '../runtime/argv.js';
import type { RuntimeContext, Verdict } from '../runtime/context.js';
import { dispatch } from '../runtime/dispatch.js';
import { writeFrontDoorSettings } from '../runtime/front-door-settings.js';

/** Asked by bin/cohort when its settings are missing or older than the config. */
const SETTINGS_FLAG = '--front-door-settings';

/**
 * The Node half of bin/cohort: runs an intercepted command and tells the front door, through
 * the verdict fd, whether to exec runc with the caller's argv.
 */
export async function main(
  raw: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
): Promise<number> {
  const location = configLocation(env);
  if (raw[0] === SETTINGS_FLAG && raw[1] !== undefined) {
    return reportErrors(() => {
      process.stdout.write(writeFrontDoorSettings(location, raw[1] ?? '', existsSync));
      return 0;
    });
  }
  const argv = parseRuntimeArgv(raw);
  const target = { logPath: argv.globals.log, logFormat: argv.globals.logFormat };
  let config: Readonly<CohortConfig> | undefined;
  const context: RuntimeContext = {
    argv,
    cwd,
    env: callerEnv(env),
    config: () => (config ??= loadConfig(location)),
    runc: () => resolveRunc(context.config(), location.path ?? 'the default config'),
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

function reportErrors(body: () => number): number {
  try {
    return body();
  } catch (error) {
    process.stderr.write(`cohort: ${toCohortError(error).message}\n`);
    return 127;
  }
}

/** The environment runc must see: the caller's, without the front door's private variable. */
function callerEnv(
  env: Readonly<Record<string, string | undefined>>,
): Record<string, string | undefined> {
  const copy = { ...env };
  delete copy.COHORT_VERDICT_FD;
  return copy;
}
