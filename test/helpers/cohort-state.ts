import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** Removes cohort's per-container files for the containers whose bundle lies under `dir`. */
export function removeCohortStateFor(dir: string, stateDir = cohortDefaultStateDir()): void {
  const containers = join(stateDir, 'containers');
  if (!existsSync(containers)) return;
  for (const rootKey of readdirSync(containers)) {
    for (const id of readdirSync(join(containers, rootKey))) {
      const member = join(containers, rootKey, id, 'member.json');
      try {
        const { bundle } = JSON.parse(readFileSync(member, 'utf8')) as { bundle?: unknown };
        if (typeof bundle === 'string' && bundle.startsWith(dir + '/')) {
          rmSync(join(containers, rootKey, id), { recursive: true, force: true });
        }
      } catch {
        // Not one of cohort's container dirs, or someone else's half-written one: leave it.
      }
    }
  }
}

/** cohort's stateDir when no COHORT_CONFIG reaches it (podman's conmon passes a bare environment). */
export function cohortDefaultStateDir(): string {
  try {
    const config = JSON.parse(readFileSync('/etc/cohort/config.json', 'utf8')) as {
      stateDir?: unknown;
    };
    if (typeof config.stateDir === 'string') return config.stateDir;
  } catch {
    // No system config: cohort's default applies.
  }
  return '/run/cohort';
}
