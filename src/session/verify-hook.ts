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
  const fix = 'create the container with cohort as its runtime';
  const refuse = (problem: string, cause?: unknown): never => {
    throw new CohortError(
      ErrorCode.Session,
      `container ${containerId} declares a group but ${problem}; ${fix}`,
      { cause, details: { container: containerId, criuConfig: path ?? '', hook } },
    );
  };
  if (path === undefined || path === '') refuse('has no CRIU config (no org.criu.config)');
  let text = '';
  try {
    text = readFileSync(path ?? '', 'utf8');
  } catch (error) {
    refuse(
      `its CRIU config ${path ?? ''} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      error,
    );
  }
  const attached = parseCriuConfig(text).some(
    (option) => option.key === 'action-script' && option.value === hook,
  );
  if (!attached)
    refuse(`its CRIU config (${path ?? ''}) does not run cohort's action script ${hook}`);
}
