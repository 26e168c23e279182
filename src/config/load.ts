import { accessSync, constants, readFileSync } from 'node:fs';
import { CohortError, ErrorCode } from '../core/errors.js';
import { DEFAULT_HOOK_PATH } from '../core/package-paths.js';
import { DEFAULT_CONFIG_PATH, DEFAULTS, RUNC_SEARCH_PATH, type CohortConfig } from './schema.js';
import {
  ConfigReader,
  readClientTls,
  readPageServerTls,
  validateCoordinatorAddress,
} from './validate.js';

const TOP_LEVEL_KEYS = ['runc', 'node', 'stateDir', 'hook', 'coordinator', 'criu', 'session'];

export interface LoadConfigOptions {
  /** The environment of the entry point; only COHORT_CONFIG and COHORT_RUNC are read. */
  env: Record<string, string | undefined>;
  /** The runc the front door already resolved, when it did. */
  resolvedRunc?: string;
}

/** Loads and validates the config once; the result is frozen and passed down. */
export function loadConfig(options: LoadConfigOptions): Readonly<CohortConfig> {
  const path = options.env.COHORT_CONFIG ?? DEFAULT_CONFIG_PATH;
  const raw = readConfigFile(path, options.env.COHORT_CONFIG !== undefined);
  return Object.freeze(parseConfig(raw, path, options));
}

function readConfigFile(path: string, explicit: boolean): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // No file at the default place means defaults; a file the user named must exist.
    if (code === 'ENOENT' && !explicit) return {};
    throw new CohortError(
      ErrorCode.Config,
      `config ${path}: cannot be read (${code ?? String(error)}); fix the file or point COHORT_CONFIG elsewhere`,
      { cause: error },
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new CohortError(
      ErrorCode.Config,
      `config ${path}: is not valid JSON (${(error as Error).message}); fix the syntax`,
      { cause: error },
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new CohortError(ErrorCode.Config, `config ${path}: must be a JSON object { ... }`);
  }
  return parsed as Record<string, unknown>;
}

export function parseConfig(
  raw: Record<string, unknown>,
  source: string,
  options: LoadConfigOptions = { env: {} },
): CohortConfig {
  const top = new ConfigReader(source, raw);
  top.rejectUnknown(TOP_LEVEL_KEYS);
  top.path('node');

  const coordinator = top.section('coordinator');
  coordinator?.rejectUnknown([
    'address',
    'tls',
    'insecure',
    'connectTimeoutMs',
    'reconnectWindowMs',
  ]);
  const address = coordinator?.string('address') ?? DEFAULTS.coordinatorAddress;
  if (coordinator !== undefined) validateCoordinatorAddress(coordinator, 'address', address);
  const tls = readClientTls(coordinator?.section('tls'));
  const insecure = coordinator?.boolean('insecure') ?? false;
  if (!address.startsWith('unix://') && tls === undefined && !insecure) {
    (coordinator ?? top).fail(
      'address',
      `is TCP (${address}) but no "tls" is set`,
      'add coordinator.tls { ca, cert, key } for mutual TLS, or set coordinator.insecure: true',
    );
  }

  const criu = top.section('criu');
  criu?.rejectUnknown(['pageServerTls']);
  const session = top.section('session');
  session?.rejectUnknown(['heartbeatMs']);

  const config: CohortConfig = {
    runc: options.env.COHORT_RUNC ?? options.resolvedRunc ?? top.path('runc') ?? findRunc(top),
    stateDir: top.path('stateDir') ?? DEFAULTS.stateDir,
    hook: top.path('hook') ?? DEFAULT_HOOK_PATH,
    coordinator: {
      address,
      insecure,
      connectTimeoutMs:
        coordinator?.milliseconds('connectTimeoutMs', 100, 600_000) ?? DEFAULTS.connectTimeoutMs,
      reconnectWindowMs:
        coordinator?.milliseconds('reconnectWindowMs', 0, 3_600_000) ?? DEFAULTS.reconnectWindowMs,
      ...(tls === undefined ? {} : { tls }),
    },
    criu: {},
    session: {
      heartbeatMs: session?.milliseconds('heartbeatMs', 50, 60_000) ?? DEFAULTS.heartbeatMs,
    },
  };
  const pageServerTls = readPageServerTls(criu?.section('pageServerTls'));
  if (pageServerTls !== undefined) config.criu.pageServerTls = pageServerTls;
  return config;
}

function findRunc(top: ConfigReader): string {
  for (const candidate of RUNC_SEARCH_PATH) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here; try the next place.
    }
  }
  return top.fail(
    'runc',
    `is not set and no runc was found in ${RUNC_SEARCH_PATH.join(', ')}`,
    'install runc or set "runc" to its absolute path',
  );
}
