import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/runc.js';

export const CONFIG_DIR = join(REPO_ROOT, 'config');
export const ENGINES_DOC = join(REPO_ROOT, 'docs', 'engines.md');

export function readConfigFile(relative: string): string {
  return readFileSync(join(CONFIG_DIR, relative), 'utf8');
}
