import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { PACKAGE_ROOT } from '../../src/core/package-paths.js';

const built = existsSync(join(PACKAGE_ROOT, 'dist', 'bundle', 'cohortd.mjs'));

// bin/cohortd runs the compiled entry: it needs `npm run build` (npm test does it first).
test.skipIf(!built)('bin/cohortd works through a symlink, as npm installs it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cohortd-bin-'));
  try {
    const link = join(dir, 'cohortd');
    symlinkSync(join(PACKAGE_ROOT, 'bin', 'cohortd'), link);
    const help = execFileSync(link, ['--help'], { encoding: 'utf8' });
    expect(help).toContain('--listen');
    let failure: { status?: number; stderr?: string } = {};
    try {
      execFileSync(link, ['--listen', '0.0.0.0:1'], { encoding: 'utf8', stdio: 'pipe' });
    } catch (error) {
      failure = error as typeof failure;
    }
    expect(failure.status).toBe(2);
    expect(failure.stderr).toContain('cohortd: a TCP --listen needs');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
