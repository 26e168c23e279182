// Runs every benchmark in turn, each in its own process so one's memory and timers never skew another's.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const BENCHES = [
  'runtime-bench.ts',
  'hook-bench.ts',
  'barrier-latency.ts',
  'coordinator-round.ts',
  'criu-bench.ts',
  'schedule-bench.ts',
  'recovery-bench.ts',
];
const only = process.argv.slice(2);
let failed = 0;
for (const bench of BENCHES) {
  if (only.length > 0 && !only.some((name) => bench.startsWith(name))) continue;
  console.log(`\n=== ${bench}`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(here, bench)], {
    stdio: 'inherit',
  });
  if (result.status !== 0) {
    failed += 1;
    console.log(`${bench} exited ${result.status ?? result.signal}`);
  }
}
process.exitCode = failed === 0 ? 0 : 1;
