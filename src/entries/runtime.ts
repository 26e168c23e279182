import { existsSync } from 'node:fs';
import { configLocation, loadConfig } from '../config/load.js';
import { resolveRunc } from '../config/runc.js';
import type { CohortConfig } from '../config/schema.js';
import { toCohortError } from '../core/errors.js';
import { reportToCaller } from '../core/runc-log.js';
import { parseRuntimeArgv } from '../runtime/argv.js';
import type { RuntimeContext, Verdict } from '../runtime/context.js';
import { dispatch } from '../runtime/dispatch.js';
import { writeFrontDoorSettings } from '../runtime/front-door-settings.js';

/** Asked by bin/cohort when its settings are missing or older than the config. */
const SETTINGS_FLAG = '--front-door-settings';

/**
 * bin/cohort's one-off Node, for when no session host runs: prepares a bundle or decides that a
 * container is plain. Exit 0 tells the front door to exec runc with the caller's argv; any other
 * is the call's failure. It never runs runc itself: a group member's session needs the host.
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
    env,
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
  // Without context.sessions nothing runs runc here, so "done" is always a failure.
  return verdict.kind === 'exec' ? 0 : verdict.exitCode || 1;
}

function reportErrors(body: () => number): number {
  try {
    return body();
  } catch (error) {
    process.stderr.write(`cohort: ${toCohortError(error).message}\n`);
    return 127;
  }
}
