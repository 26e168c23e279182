import { mkdirSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '../core/atomic-write.js';
import { join } from 'node:path';
import { CohortError, ErrorCode } from '../core/errors.js';
import {
  formatCriuConfig,
  mergeCriuOptions,
  parseCriuConfig,
  type CriuOption,
} from './config-file.js';

/** runc's state root when the caller passes no --root. */
export const DEFAULT_RUNC_ROOT = '/run/runc';

/** Per-container files live under the runc root they belong to: ids are unique only per root. */
export function containerStateDir(
  stateDir: string,
  runcRoot: string | undefined,
  id: string,
): string {
  const rootKey = (runcRoot ?? DEFAULT_RUNC_ROOT).replaceAll('/', '_');
  return join(stateDir, 'containers', rootKey, id);
}

export interface WrittenCriuConfig {
  path: string;
  /** cohort options the user's own file already set, so theirs were kept. */
  overridden: string[];
}

/** Writes the container's CRIU config: the user's file (if any) merged with cohort's options. */
export function writeContainerCriuConfig(
  dir: string,
  id: string,
  cohortOptions: readonly CriuOption[],
  userConfigPath: string | undefined,
): WrittenCriuConfig {
  let userOptions: CriuOption[] = [];
  if (userConfigPath !== undefined && userConfigPath !== '') {
    try {
      userOptions = parseCriuConfig(readFileSync(userConfigPath, 'utf8'));
    } catch (error) {
      throw new CohortError(
        ErrorCode.Annotation,
        `annotation org.criu.config="${userConfigPath}": cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)}); fix the path or remove the annotation`,
        { cause: error },
      );
    }
  }
  const merged = mergeCriuOptions(userOptions, cohortOptions);
  const source = userConfigPath ? ` merged with ${userConfigPath}` : '';
  const text = formatCriuConfig(
    `CRIU options for container ${id}, written by cohort${source}`,
    merged.options,
  );
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, 'criu.conf');
  writeFileAtomic(path, text);
  return { path, overridden: merged.overridden };
}
