import { readFileSync } from 'node:fs';
import { CohortError, ErrorCode, isCohortError } from '../core/errors.js';
import { DEFAULT_HOOK_PATH } from '../core/package-paths.js';
import { parseWith } from '../core/schema.js';
import { configSchema, DEFAULT_CONFIG_PATH, type CohortConfig } from './schema.js';

export interface ConfigLocation {
  /** The file; default /etc/cohort/config.json. */
  path?: string;
  /** How the caller named it (`COHORT_CONFIG`, `--config`), for the fix in a message; absent means the default. */
  via?: string;
}

/** The file an entry reads: --config or COHORT_CONFIG when given, else the default. */
export function configLocation(
  env: Readonly<Record<string, string | undefined>>,
  flag?: string,
): ConfigLocation {
  if (flag !== undefined) return { path: flag, via: '--config' };
  if (env.COHORT_CONFIG !== undefined) return { path: env.COHORT_CONFIG, via: 'COHORT_CONFIG' };
  return {};
}

/** Loads and validates the config once; the result is frozen and passed down. */
export function loadConfig(location: ConfigLocation = {}): Readonly<CohortConfig> {
  const path = location.path ?? DEFAULT_CONFIG_PATH;
  return deepFreeze(parseConfig(readConfigFile(path, location.via), path));
}

/** The config, or the defaults when it cannot be loaded: for what must work with any config. */
export function loadConfigOrDefaults(location: ConfigLocation = {}): Readonly<CohortConfig> {
  try {
    return loadConfig(location);
  } catch (error) {
    if (!isCohortError(error, ErrorCode.Config)) throw error;
    return deepFreeze(parseConfig({}, location.path ?? DEFAULT_CONFIG_PATH));
  }
}

export function parseConfig(raw: unknown, source: string): CohortConfig {
  const file = parseWith(configSchema, raw, { label: `config ${source}`, code: ErrorCode.Config });
  return { ...file, hook: file.hook ?? DEFAULT_HOOK_PATH };
}

function readConfigFile(path: string, via: string | undefined): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // No file at the default place means defaults; a file the user named must exist.
    if (code === 'ENOENT' && via === undefined) return {};
    const fix = via === undefined ? 'fix the file' : `fix the file or point ${via} elsewhere`;
    throw new CohortError(
      ErrorCode.Config,
      `config ${path}: cannot be read (${code ?? String(error)}); ${fix}`,
      { cause: error, details: { source: path } },
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new CohortError(
      ErrorCode.Config,
      `config ${path}: is not valid JSON (${(error as Error).message}); fix the syntax`,
      { cause: error, details: { source: path } },
    );
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
