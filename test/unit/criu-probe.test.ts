import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { probeCriu } from '../../src/criu/probe.js';

const dir = mkdtempSync(join(tmpdir(), 'cohort-probe-'));

/**
 * A FAKE criu: a version line for --version, `check` passing or failing, and a `dump` that
 * writes CRIU's log into -D DIR and fails the way trixie's 4.1.1 does on a TCP socket, when told.
 */
function fakeCriu(name: string, version: string, check: boolean, dump = true): string {
  const path = join(dir, name);
  const checkLine = check
    ? 'echo "Looks good."'
    : 'echo "Error (criu/kerndat.c:1): no vdso" >&2; exit 1';
  const dumpLine = dump
    ? 'exit 0'
    : `while [ "$1" != -D ]; do shift; done; echo "Error (criu/sockets.c:628): sockets: Can't get 1:16 opt: Operation not supported" > "$2/dump.log"; exit 1`;
  writeFileSync(
    path,
    `#!/bin/bash\ncase $1 in --version) echo "Version: ${version}" ;; check) ${checkLine} ;; dump) ${dumpLine} ;; esac\n`,
  );
  chmodSync(path, 0o755);
  return path;
}

describe('finding a CRIU that runs cohort under runc', () => {
  it('says for each candidate which check failed: its version, criu check, a TCP dump', async () => {
    const old = fakeCriu('old', '3.17', false);
    const broken = fakeCriu('broken', '4.2', false);
    const noTcp = fakeCriu('no-tcp', '4.1.1', true, false);
    const probe = await probeCriu([join(dir, 'absent'), old, broken, noTcp]);
    expect(probe.usable).toBeUndefined();
    expect(probe.rejected).toEqual([
      `${old}: CRIU 3.17 is older than 3.19, the first that runs action scripts under runc`,
      `${broken}: CRIU 4.2: "criu check" fails on this kernel: Error (criu/kerndat.c:1): no vdso`,
      `${noTcp}: CRIU 4.1.1: a test dump of an established TCP connection fails: Error (criu/sockets.c:628): sockets: Can't get 1:16 opt: Operation not supported`,
    ]);
  });

  it('takes the first candidate that is new enough, passes criu check and dumps TCP', async () => {
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
    expect(probe.rejected).toEqual([`no criu in ${join(dir, 'nowhere')}`]);
  });
});
