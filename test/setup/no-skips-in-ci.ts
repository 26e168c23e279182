import type { Reporter, TestModule } from 'vitest/node';

/**
 * Under CI=true a skipped test is a failure: a green run must mean every tier really ran
 * (real CRIU, podman, containerd, registry, etcd), not that it found something missing.
 */
export default class NoSkipsInCi implements Reporter {
  onTestRunEnd(modules: readonly TestModule[]): void {
    if (process.env.CI !== 'true') return;
    const skipped: string[] = [];
    for (const module of modules) {
      for (const test of module.children.allTests()) {
        if (test.result().state === 'skipped') skipped.push(`${module.moduleId}: ${test.fullName}`);
      }
    }
    if (skipped.length === 0) return;
    console.error(
      `\nCI=true, but ${skipped.length} test(s) were skipped; install what they need (bash scripts/setup):`,
    );
    for (const line of skipped.slice(0, 50)) console.error(`  - ${line}`);
    process.exitCode = 1;
  }
}
