import { accessSync, constants } from 'node:fs';
import { CohortError, ErrorCode } from '../core/errors.js';
import type { CohortConfig } from './schema.js';

/** Searched in order when the config names no runc; absolute because podman gives no PATH. */
export const RUNC_SEARCH_PATH = [
  '/usr/local/sbin/runc',
  '/usr/local/bin/runc',
  '/usr/sbin/runc',
  '/usr/bin/runc',
  '/sbin/runc',
  '/bin/runc',
];

/** The one decision of which runc cohort runs: the config's, else the first found. */
export function resolveRunc(config: Pick<CohortConfig, 'runc'>, source: string): string {
  if (config.runc !== undefined) return config.runc;
  for (const candidate of RUNC_SEARCH_PATH) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here; try the next place.
    }
  }
  throw new CohortError(
    ErrorCode.Config,
    `config ${source}: "runc" is not set and no runc was found in ${RUNC_SEARCH_PATH.join(', ')}; install runc or set "runc" to its absolute path`,
    { details: { key: 'runc', source } },
  );
}
