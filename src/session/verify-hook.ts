import { readFileSync } from 'node:fs';
import { CohortError, ErrorCode } from '../core/errors.js';
import { parseCriuConfig } from '../criu/config-file.js';
import { CRIU_CONFIG_ANNOTATION } from '../spec/annotations.js';

/**
 * A group member must carry cohort's action script in its CRIU config; without it CRIU would
 * dump the member with no barrier, and the group would get a checkpoint no one agreed to.
 */
export function verifyHookAttached(
  annotations: Record<string, string>,
  hook: string,
  containerId: string,
): void {
  const path = annotations[CRIU_CONFIG_ANNOTATION];
  let attached = false;
  if (path !== undefined && path !== '') {
    try {
      attached = parseCriuConfig(readFileSync(path, 'utf8')).some(
        (option) => option.key === 'action-script' && option.value === hook,
      );
    } catch {
      attached = false;
    }
  }
  if (!attached) {
    throw new CohortError(
      ErrorCode.Session,
      `container ${containerId} declares a group but its CRIU config (${path ?? 'none'}) does not run cohort's action script ${hook}; create the container with cohort as its runtime`,
    );
  }
}
