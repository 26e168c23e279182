import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { claimHostDir, ownerPid, releaseHostDir } from '../../src/runtime/host/host-claim.js';

/** The pid of a process that has exited: no process answers to it now. */
function deadPid(): number {
  return Number(spawnSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' }).stdout.trim());
}

describe('claiming a session host dir', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cohort-claim-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('lets the first claim win and refuses a second while the first lives', () => {
    expect(claimHostDir(dir, process.pid)).toBe(true);
    // pid 1 is alive for as long as this machine is.
    expect(claimHostDir(dir, 1)).toBe(false);
    expect(ownerPid(dir)).toBe(process.pid);
    expect(readdirSync(dir)).toEqual(['owner']);
  });

  it("takes over a dead owner's claim", () => {
    writeFileSync(join(dir, 'owner'), `${deadPid()}\n`);
    expect(claimHostDir(dir, process.pid)).toBe(true);
    expect(ownerPid(dir)).toBe(process.pid);
    expect(readdirSync(dir)).toEqual(['owner']);
  });

  it('refuses a claim for another live owner, and a release by one that is not the owner', () => {
    writeFileSync(join(dir, 'owner'), '1\n');
    expect(claimHostDir(dir, process.pid)).toBe(false);
    releaseHostDir(dir, process.pid);
    expect(ownerPid(dir)).toBe(1);
    releaseHostDir(dir, 1);
    expect(ownerPid(dir)).toBeUndefined();
  });
});
