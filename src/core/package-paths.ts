import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The installed package's root: found by walking up, so it holds from src/ (tests) and dist/src/. */
function findPackageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cohort: package.json not found above ' + import.meta.url);
    dir = parent;
  }
  return dir;
}

export const PACKAGE_ROOT = findPackageRoot();
export const DEFAULT_HOOK_PATH = join(PACKAGE_ROOT, 'hooks', 'criu-action');
export const PROTO_DIR = join(PACKAGE_ROOT, 'proto');

let cachedVersion: string | undefined;
export function cohortVersion(): string {
  cachedVersion ??= (
    JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }
  ).version;
  return cachedVersion;
}
