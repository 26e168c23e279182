import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'smol-toml';
import { createPodmanEnv, PODMAN, type PodmanEnv } from '../../helpers/podman.js';
import { run, type RunOptions, type RunResult } from '../../helpers/run.js';
import { COHORT_BIN, NODE, REPO_ROOT, RUNC } from '../../helpers/runc.js';

export const DROP_IN = join(REPO_ROOT, 'config', 'podman', 'containers.conf.d', 'cohort.conf');
const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

type Table = Record<string, unknown>;

export interface CohortPodman {
  base: PodmanEnv;
  /** The test's env with CONTAINERS_CONF (per-test settings + the shipped drop-in) and COHORT_CONFIG. */
  env: Record<string, string>;
  image: string;
  stateDir: string;
  /** podman with that env; the runtime is chosen by the caller (`--runtime cohort`). */
  podman(args: readonly string[], options?: RunOptions): Promise<RunResult>;
  cleanup(): Promise<void>;
}

export interface CohortPodmanOptions {
  /** The coordinator cohort's sessions join (unix:///path). */
  coordinator?: string;
  /** A directory to put first in PATH for podman, runc and conmon: where a usable CRIU lives. */
  criuDir?: string;
}

function merge(base: Table, extra: Table): Table {
  const out: Table = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    const current = out[key];
    const tables = [current, value].every(
      (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
    );
    out[key] = tables ? merge(current as Table, value as Table) : value;
  }
  return out;
}

/**
 * podman with its per-test settings (test/helpers/podman.ts) plus config/podman's drop-in as
 * shipped, the runtime path pointed at this checkout, and a cohort config of the test's own.
 * podman reads only CONTAINERS_CONF when it is set, so the drop-in is merged into that file.
 */
export async function createCohortPodman(options: CohortPodmanOptions = {}): Promise<CohortPodman> {
  const base = await createPodmanEnv({ runtime: COHORT_BIN });
  const stateDir = join(base.dir, 'cohort-state');
  const cohortConfig = join(base.dir, 'cohort.json');
  const coordinator =
    options.coordinator === undefined ? {} : { coordinator: { address: options.coordinator } };
  writeFileSync(
    cohortConfig,
    JSON.stringify({ runc: RUNC, node: NODE, stateDir, ...coordinator }, null, 2) + '\n',
  );
  const path = options.criuDir === undefined ? SYSTEM_PATH : `${options.criuDir}:${SYSTEM_PATH}`;
  const dropIn = parse(readFileSync(DROP_IN, 'utf8')) as Table & {
    engine: { runtimes: Record<string, string[]> };
  };
  dropIn.engine.runtimes.cohort = [COHORT_BIN];
  const settings = parse(readFileSync(base.env.CONTAINERS_CONF ?? '', 'utf8'));
  // conmon starts the runtime for create and restore with only these variables.
  const conmonEnv = {
    engine: { conmon_env_vars: [`PATH=${path}`, `COHORT_CONFIG=${cohortConfig}`] },
  };
  const merged = join(base.dir, 'containers-cohort.conf');
  writeFileSync(merged, stringify(merge(merge(settings, dropIn), conmonEnv)));
  const env = {
    ...base.env,
    CONTAINERS_CONF: merged,
    COHORT_CONFIG: cohortConfig,
    PATH: `${path}:${base.env.PATH ?? ''}`,
  };
  const podman = (args: readonly string[], runOptions: RunOptions = {}) =>
    run(PODMAN, args, { env, ...runOptions });
  return {
    base,
    env,
    image: base.image,
    stateDir,
    podman,
    async cleanup() {
      // Containers made with the runtime named cohort are known only under this config.
      await podman(['rm', '--all', '--force', '--time', '0']);
      await base.cleanup();
    },
  };
}

/** podman 4 splits an --annotation value at commas unless the whole KEY=VALUE is CSV-quoted. */
export function podmanAnnotation(annotation: string): string {
  return annotation.includes(',') ? `"${annotation}"` : annotation;
}
