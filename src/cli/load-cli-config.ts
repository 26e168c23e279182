import { loadConfig } from '../config/load.js';
import { DEFAULT_CONFIG_PATH, type CohortConfig } from '../config/schema.js';

/** The config file cohortctl reads: --config, else COHORT_CONFIG, else the default path. */
export function cliConfigPath(
  flag: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): string {
  return flag ?? env.COHORT_CONFIG ?? DEFAULT_CONFIG_PATH;
}

/**
 * Loads the cohort config as the runtime does. A file named by --config or COHORT_CONFIG must
 * exist; the default one may be absent (defaults apply).
 */
export function loadCliConfig(
  flag: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): Readonly<CohortConfig> {
  const explicit = flag ?? env.COHORT_CONFIG;
  return loadConfig({
    env: explicit === undefined ? {} : { COHORT_CONFIG: explicit },
    // cohortctl never runs runc: naming one spares an operator's host without runc the search.
    resolvedRunc: 'runc',
  });
}
