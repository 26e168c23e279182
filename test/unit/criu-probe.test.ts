import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { probeCriu } from '../../src/criu/probe.js';

const dir = mkdtempSync(join(tmpdir(), 'cohort-probe-'));

/** A FAKE criu: a version line for --version, and check passing or failing as told. */
function fakeCriu(name: string, version: string, checkPasses: boolean): string {
  const path = join(dir, name);
  const check = checkPasses
    ? 'echo "Looks good."'
    : 'echo "Error (criu/kerndat.c:1): no vdso" >&2; exit 1';
  writeFileSync(
    path,
    `#!/bin/sh\ncase $1 in --version) echo "Version: ${version}" ;; check) ${check} ;; esac\n`,
  );
  chmodSync(path, 0o755);
  return path;
}

describe('finding a CRIU that runs cohort under runc', () => {
  it('says for each candidate why it cannot be used: its version, and criu check', async () => {
    const old = fakeCriu('old', '3.17', false);
    const broken = fakeCriu('broken', '4.2', false);
    const probe = await probeCriu([join(dir, 'absent'), old, broken]);
    expect(probe.usable).toBeUndefined();
    expect(probe.rejected).toEqual([
      `${old}: CRIU 3.17 is older than 3.19, the first that runs action scripts under runc; "criu check" fails on this kernel: Error (criu/kerndat.c:1): no vdso`,
      `${broken}: "criu check" fails on this kernel: Error (criu/kerndat.c:1): no vdso`,
    ]);
  });

  it('takes the first candidate that is new enough and passes criu check', async () => {
    const good = fakeCriu('good', '3.19', true);
    const probe = await probeCriu([
      fakeCriu('older', '3.18', true),
      good,
      fakeCriu('newer', '4.2', true),
    ]);
    expect(probe.usable).toEqual({ path: good, version: '3.19' });
    expect(probe.rejected).toHaveLength(1);
  });

  it('names where it looked when there is no criu at all', async () => {
    const probe = await probeCriu([join(dir, 'nowhere')]);
    expect(probe.rejected).toEqual([`no criu found in ${join(dir, 'nowhere')}`]);
  });
});
