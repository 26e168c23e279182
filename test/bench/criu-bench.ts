// Real runc and real CRIU, with the warm path as a node runs it (the session host and the
// coordinator in this process): idle containers checkpointed with --leave-running, deleted, and
// restored with --detach, as a cohort group of 1 and of 4 against plain runc with 1 and with 4
// containers at once. Cases are interleaved, their order rotating, so drift falls on all alike.
// Run: npm run build && npx tsx test/bench/criu-bench.ts   (BENCH_CRIU_RUNS, default 9)
import { BenchContainers, type BenchContainer, type Via } from './criu-bench-containers.js';
import {
  dumpBreakdownRows,
  frozenRows,
  restoreBreakdownRows,
  wallRows,
  type AllSamples,
} from './criu-bench-report.js';
import { startCriuRig } from './criu-bench-rig.js';
import { CaseSamples, runCycle, stageRows, type BenchCase } from './criu-bench-samples.js';
import { machineLine, median, printTable, round } from './stats.js';

const RUNS = Math.max(5, Number(process.env.BENCH_CRIU_RUNS ?? 9));
/** Cycles not counted: the host's first member call loads the session code and connects. */
const WARMUP = 1;

async function startCase(
  bench: BenchContainers,
  key: BenchCase['key'],
  label: string,
  via: Via,
  size: number,
): Promise<BenchCase> {
  const members = Array.from({ length: size }, (_, i) => `m${i}`);
  const containers: BenchContainer[] = [];
  for (const member of members) {
    const group = via === 'cohort' ? { name: key, member, members } : undefined;
    containers.push(await bench.start(via, group));
  }
  return { key, label, containers };
}

async function main(): Promise<number> {
  const rig = await startCriuRig();
  if ('skip' in rig) {
    console.log(`criu-bench: skipped, ${rig.skip.join('\n  - ')}`);
    return 0;
  }
  try {
    console.log(
      `criu ${rig.criu.version} at ${rig.criu.path}; ${machineLine()}; ${RUNS} cycles per case after ${WARMUP} warm-up`,
    );
    const bench = new BenchContainers(rig.sandbox, rig.criu.path);
    const cases = [
      await startCase(bench, 'runc1', 'runc, 1 container', 'runc', 1),
      await startCase(bench, 'cohort1', 'cohort group of 1', 'cohort', 1),
      await startCase(bench, 'runc4', 'runc, 4 at once', 'runc', 4),
      await startCase(bench, 'cohort4', 'cohort group of 4', 'cohort', 4),
    ];
    const all: AllSamples = {
      runc1: new CaseSamples(),
      cohort1: new CaseSamples(),
      runc4: new CaseSamples(),
      cohort4: new CaseSamples(),
    };
    const floor = { cohort: [] as number[], runc: [] as number[] };
    for (let cycle = 0; cycle < WARMUP + RUNS; cycle += 1) {
      const counted = cycle >= WARMUP;
      for (let i = 0; i < cases.length; i += 1) {
        const c = cases[(cycle + i) % cases.length] as BenchCase;
        await runCycle(bench, c, counted ? all[c.key] : undefined);
      }
      if (counted) {
        floor.cohort.push(await bench.helpFloor('cohort'));
        floor.runc.push(await bench.helpFloor('runc'));
      }
    }

    printTable(
      'Goal 1: checkpoint --leave-running of idle containers, wall time from the first start to the last exit',
      wallRows(all, 'checkpoint'),
    );
    printTable(
      'Goal 2: restore --detach of those checkpoints (container deleted first; only the restore timed)',
      wallRows(all, 'restore'),
    );
    printTable(
      "Goal 5: CRIU's frozen time per container (stats-dump), each member vs each plain runc container",
      frozenRows(all),
    );
    printTable(
      "Where a checkpoint's time goes (ms, p50): CRIU's run (dump.log), outside it, and each action's hold on CRIU",
      dumpBreakdownRows(all),
    );
    printTable(
      "Where a restore's time goes (ms, p50): CRIU's run (restore.log), outside it, and the spans from each action cohort answers to the next",
      restoreBreakdownRows(all),
    );
    printTable('Context: checkpoint --help, no container (front door + host dispatch, then runc)', [
      { via: 'cohort', runs: floor.cohort.length, p50_ms: round(median(floor.cohort)) },
      { via: 'runc', runs: floor.runc.length, p50_ms: round(median(floor.runc)) },
    ]);
    printTable(
      "Where a cohort group of 4 spends its time: the coordinator's stage durations",
      await stageRows(rig.client, 'cohort4'),
    );
    console.log(`\nafter the run: ${machineLine()}`);
    return 0;
  } finally {
    await rig.stop();
  }
}

process.exitCode = await main();
