// Runs every benchmark in turn, each in its own process so one's memory and timers never skew
// another's, then lists every goal the tables marked "met" or "MISSED".
// BENCH_FULL=1 runs barrier-latency at full length (about 2.5 min more on 2 cores).
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { machineLine, printTable } from './stats.js';

const here = dirname(fileURLToPath(import.meta.url));
const full = process.env.BENCH_FULL === '1';
const BENCHES: [string, string[]][] = [
  ['runtime-bench.ts', []],
  ['hook-bench.ts', []],
  ['barrier-latency.ts', full ? [] : ['--quick']],
  ['coordinator-round.ts', []],
  ['criu-bench.ts', []],
  ['schedule-bench.ts', []],
  ['recovery-bench.ts', []],
  ['group-store-bench.ts', []],
  ['store-bench.ts', []],
  ['etcd-bench.ts', []],
  ['failover-bench.ts', []],
];

type GoalRow = {
  bench: string;
  table: string;
  case: string;
  goal: string;
};

/** Runs one bench with its output passed through; keeps the goal rows of its JSON lines. */
function runBench(bench: string, args: string[], goals: GoalRow[]): Promise<number> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, bench), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  createInterface({ input: child.stdout }).on('line', (line) => {
    console.log(line);
    if (!line.startsWith('JSON ')) return;
    const { title, rows } = JSON.parse(line.slice(5)) as {
      title: string;
      rows: Record<string, unknown>[];
    };
    for (const row of rows) {
      const goal = String(row.goal ?? '');
      if (!/\b(met|MISSED)$/.test(goal)) continue;
      goals.push({ bench, table: title.split(':')[0] ?? title, case: String(row.case), goal });
    }
  });
  return new Promise((resolve) => child.once('close', (code) => resolve(code ?? 1)));
}

const only = process.argv.slice(2);
const goals: GoalRow[] = [];
let failed = 0;
const started = Date.now();
for (const [bench, args] of BENCHES) {
  if (only.length > 0 && !only.some((name) => bench.startsWith(name))) continue;
  console.log(`\n=== ${bench} ${args.join(' ')}`);
  const code = await runBench(bench, args, goals);
  if (code !== 0) {
    failed += 1;
    console.log(`${bench} exited ${code}`);
  }
}
printTable('Goals', goals);
console.log(`\n${Math.round((Date.now() - started) / 1000)} s in all; ${machineLine()}`);
process.exitCode = failed === 0 ? 0 : 1;
