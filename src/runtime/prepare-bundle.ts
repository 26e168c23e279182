import { join } from 'node:path';
import type { CohortConfig } from '../config/schema.js';
import { writeFileAtomic } from '../core/atomic-write.js';
import { cohortCriuOptions } from '../criu/cohort-options.js';
import { containerStateDir, writeContainerCriuConfig } from '../criu/container-criu-config.js';
import {
  ANNOTATION,
  CRIU_CONFIG_ANNOTATION,
  readGroupDeclaration,
  type GroupDeclaration,
} from '../spec/annotations.js';
import { readAnnotations, readBundleSpec, writeBundleSpec } from '../spec/bundle-spec.js';

export interface PreparedBundle {
  /** This container's directory under cohort's state dir, when cohort wrote anything there. */
  stateDir?: string;
  declaration?: GroupDeclaration;
  /** Things the caller's log should hear about (never stderr on success). */
  notes: string[];
}

/**
 * Points a group member's org.criu.config at a per-container file holding cohort's action
 * script (and page-server TLS when configured), keeping a user's own file merged in. A container
 * in no group gets only the TLS options, and with none configured its bundle is left as it is.
 */
export function prepareBundle(
  config: Readonly<CohortConfig>,
  bundle: string,
  id: string,
  runcRoot: string | undefined,
): PreparedBundle {
  const bundleSpec = readBundleSpec(bundle);
  const annotations = { ...readAnnotations(bundleSpec.spec) };
  const declaration = readGroupDeclaration(annotations, id);
  const options = cohortCriuOptions(config, declaration !== undefined);
  if (options.length === 0) return { notes: [] };
  const dir = containerStateDir(config.stateDir, runcRoot, id);
  const current = annotations[CRIU_CONFIG_ANNOTATION];
  // A bundle cohort prepared before (restore, re-create) keeps the user's original file name.
  const userConfig =
    annotations[ANNOTATION.userCriuConfig] ?? (isCohortFile(config, current) ? undefined : current);
  const written = writeContainerCriuConfig(dir, id, options, userConfig);
  const notes = written.overridden.map(
    (key) => `container ${id}: keeping "${key}" from ${userConfig ?? ''} over cohort's`,
  );
  annotations[CRIU_CONFIG_ANNOTATION] = written.path;
  if (userConfig !== undefined && userConfig !== '')
    annotations[ANNOTATION.userCriuConfig] = userConfig;
  bundleSpec.spec.annotations = annotations;
  writeBundleSpec(bundleSpec);
  writeFileAtomic(
    join(dir, 'member.json'),
    JSON.stringify({ id, bundle, runcRoot, declaration }, null, 2) + '\n',
  );
  const result: PreparedBundle = { stateDir: dir, notes };
  if (declaration !== undefined) result.declaration = declaration;
  return result;
}

function isCohortFile(config: Readonly<CohortConfig>, path: string | undefined): boolean {
  return path !== undefined && path.startsWith(join(config.stateDir, 'containers') + '/');
}
