import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.js';
import { CONFIG_DIR, ENGINES_DOC } from './paths.js';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

describe('docs/engines.md', () => {
  const doc = readFileSync(ENGINES_DOC, 'utf8');

  it('links every file under config/', () => {
    for (const file of files(CONFIG_DIR)) {
      expect(doc, `docs/engines.md does not link ${file}`).toContain(
        `(../config/${relative(CONFIG_DIR, file)})`,
      );
    }
  });

  it("documents each of cohortctl's exit codes", () => {
    for (const code of Object.values(EXIT))
      expect(doc).toMatch(new RegExp(`^\\| ${code} +\\| `, 'm'));
  });
});
