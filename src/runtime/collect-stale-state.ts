import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DEFAULT_RUNC_ROOT } from '../criu/container-criu-config.js';

/** Younger entries may belong to a create still on its way to runc. */
const GRACE_MS = 60_000;

/**
 * Removes the CRIU configs of containers runc no longer knows. Delete stays a pure exec of
 * runc, so the next create under the same root tidies up instead.
 */
export function collectStaleContainerState(
  containerDir: string,
  runcRoot: string | undefined,
  now = Date.now(),
): number {
  const rootDir = dirname(containerDir);
  const root = runcRoot ?? DEFAULT_RUNC_ROOT;
  let removed = 0;
  let entries: string[];
  try {
    entries = readdirSync(rootDir);
  } catch {
    return 0;
  }
  for (const id of entries) {
    const dir = join(rootDir, id);
    if (dir === containerDir || existsSync(join(root, id))) continue;
    try {
      if (now - statSync(dir).mtimeMs < GRACE_MS) continue;
      rmSync(dir, { recursive: true, force: true });
      removed += 1;
    } catch {
      // Another create tidied it first.
    }
  }
  return removed;
}
