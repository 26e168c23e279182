import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { loadConfigOrDefaults, type ConfigLocation } from '../config/load.js';
import { resolveRunc } from '../config/runc.js';
import { DEFAULT_CONFIG_PATH } from '../config/schema.js';
import { writeFileAtomic } from '../core/atomic-write.js';
import { cohortVersion, PACKAGE_ROOT } from '../core/package-paths.js';
import { cohortCriuOptions } from '../criu/cohort-options.js';
import { sessionHostDir } from './host/layout.js';

/** What bin/cohort needs from the config, as sh assignments: it sources these and reads no JSON. */
export interface FrontDoorSettings {
  /** The config file existed: if it disappears, the settings are stale. */
  conf_exists: '0' | '1';
  runc: string;
  /** The config's Node.js, empty when it names none (the front door then searches). */
  node: string;
  cohort_version: string;
  /** The installed package: libexec/intercept.bash and the one-off Node's bundle. */
  cohort_home: string;
  /** Where the session host listens (its pid, door and channels). */
  host_dir: string;
  /** '1' when every container gets CRIU options (page-server TLS): no create is decided in bash. */
  criu_each: '0' | '1';
}

/**
 * Computes the front door's settings from the config and writes them to `cachePath` for the
 * next call. A broken config still yields a runc (the default search), so pass-through goes on.
 */
export function writeFrontDoorSettings(
  location: ConfigLocation,
  cachePath: string,
  exists: (path: string) => boolean,
): string {
  const path = location.path ?? DEFAULT_CONFIG_PATH;
  const config = loadConfigOrDefaults(location);
  const settings: FrontDoorSettings = {
    conf_exists: exists(path) ? '1' : '0',
    runc: resolveRunc(config, path),
    node: config.node ?? '',
    cohort_version: cohortVersion(),
    cohort_home: PACKAGE_ROOT,
    host_dir: sessionHostDir(config.stateDir),
    criu_each: cohortCriuOptions(config, false).length > 0 ? '1' : '0',
  };
  const text = formatSettings(settings, path);
  try {
    mkdirSync(dirname(cachePath), { recursive: true, mode: 0o755 });
    writeFileAtomic(cachePath, text, 0o644);
  } catch {
    // Not writable (a rootless caller): the front door uses what we print, and asks again next time.
  }
  return text;
}

export function formatSettings(settings: FrontDoorSettings, source: string): string {
  const lines = Object.entries(settings).map(([key, value]) => `${key}=${shellQuote(value)}`);
  return `# bin/cohort's settings from ${source}, written by cohort; rewritten when that file changes.\n${lines.join('\n')}\n`;
}

function shellQuote(value: string): string {
  return `'${value.replaceAll("'", "'\\''")}'`;
}
