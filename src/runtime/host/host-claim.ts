import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HOST_FILES } from './layout.js';

/**
 * Who serves a host dir: the owner file, claimed with link(2), which fails when it exists, so two
 * hosts starting at once never both serve. A dead owner's file is moved aside before a new claim.
 */
export function claimHostDir(dir: string, pid = process.pid): boolean {
  const ownerPath = join(dir, HOST_FILES.owner);
  const mine = join(dir, `${HOST_FILES.owner}.${pid}`);
  writeFileSync(mine, `${pid}\n`, { mode: 0o644 });
  try {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      try {
        linkSync(mine, ownerPath);
        return true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const owner = ownerPid(dir);
      if (owner !== undefined && (owner === pid || alive(owner))) return owner === pid;
      if (!moveAsideStale(dir, owner, pid)) return false;
    }
    return false;
  } finally {
    unlinkQuietly(mine);
  }
}

/** The pid the dir's owner file names, if it names one. */
export function ownerPid(dir: string): number | undefined {
  return readPidFile(join(dir, HOST_FILES.owner));
}

/** The pid of the host that serves front doors, as they read it. */
export function servingPid(dir: string): number | undefined {
  return readPidFile(join(dir, HOST_FILES.pid));
}

/** Gives the dir up, when this process still holds it: front doors first, then the claim. */
export function releaseHostDir(dir: string, pid = process.pid): void {
  for (const file of [HOST_FILES.pid, HOST_FILES.owner])
    if (readPidFile(join(dir, file)) === pid) unlinkQuietly(join(dir, file));
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Renames the stale pid file to a name of this process's own; rename is atomic, so of two hosts
 * doing this only one gets the file. If a live host's claim was taken instead, it is put back.
 */
function moveAsideStale(dir: string, stale: number | undefined, pid: number): boolean {
  const ownerPath = join(dir, HOST_FILES.owner);
  const aside = join(dir, `${HOST_FILES.owner}.stale.${pid}`);
  try {
    renameSync(ownerPath, aside);
  } catch {
    return true; // Another host moved it first: claim again.
  }
  const moved = readPidFile(aside);
  if (moved === stale || moved === undefined || !alive(moved)) {
    unlinkQuietly(aside);
    return true;
  }
  try {
    linkSync(aside, ownerPath);
  } catch {
    // A third host claimed in between; the host displaced sees it at its next look.
  }
  unlinkQuietly(aside);
  return false;
}

function readPidFile(path: string): number | undefined {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone.
  }
}
