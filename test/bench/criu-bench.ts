// Real CRIU, in one run: (1) the time CRIU's frozen window spends in cohort's action hook per
// action, read from CRIU's own dump.log, against a plain runc container (no action script);
// (2) the wall time of a group of 4 idle containers checkpointed together through cohort against
// one bare `runc checkpoint`, and against 4 bare ones started at once (the fair baseline on few cores).
// Run: npm run build && npx tsx test/bench/criu-bench.ts   (BENCH_HOOK_RUNS, BENCH_GROUP_RUNS)
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectCoordinator, type CoordinatorClient } from '../../src/coordinator/client.js';
import { startCoordinator } from '../../src/coordinator/start-coordinator.js';
import { silentLogger } from '../../src/coordinator/server/logger.js';
import type { StageName } from '../../src/coordinator/types.js';
import { probeCriu } from '../../src/criu/probe.js';
import { RUNTIME_ENTRY } from '../helpers/runc.js';
import { BenchContainers, type BenchContainer } from './criu-bench-containers.js';
import { FROZEN_ACTIONS, readActionDurations, readFrozenMs } from './criu-dump-log.js';
import { median, printTable, round } from './stats.js';

const HOOK_RUNS = Math.max(10, Number(process.env.BENCH_HOOK_RUNS ?? 15));
const GROUP_RUNS = Math.max(5, Number(process.env.BENCH_GROUP_RUNS ?? 7));
const GROUP_SIZE = 4;
const GOALS = { hookMs: 10, groupRatio: 1.3 };

interface DumpSample {
  /** Wall time of the whole `checkpoint` call. */
  ms: number;
  actions: Map<string, number>;
  frozenMs: number;
}

/** One `checkpoint --leave-running`, with CRIU's own timings of it. */
async function sampleDump(bench: BenchContainers, container: BenchContainer): Promise<DumpSample> {
  const run = await bench.checkpoint(container);
  const sample = {
    ms: run.ms,
    actions: readActionDurations(run.workDir),
    frozenMs: readFrozenMs(run.workDir),
  };
  rmSync(run.workDir, { recursive: true, force: true });
  return sample;
}

function frozenActionsSum(sample: DumpSample): number {
  return FROZEN_ACTIONS.reduce((sum, action) => sum + (sample.actions.get(action) ?? 0), 0);
}

interface Measure {
  name: string;
  pick: (sample: DumpSample) => number;
  /** The per-hook goal applies: one run of the action script inside the frozen window. */
  perHook: boolean;
}

const action = (name: string): ((sample: DumpSample) => number) => {
  return (sample) => sample.actions.get(name) ?? Number.NaN;
};

const MEASURES: readonly Measure[] = [
  { name: 'pre-dump (before the freeze)', pick: action('pre-dump'), perHook: false },
  ...FROZEN_ACTIONS.map((name) => ({ name, pick: action(name), perHook: true })),
  { name: 'frozen-window actions, sum', pick: frozenActionsSum, perHook: false },
  { name: 'CRIU frozen time (stats-dump)', pick: (s: DumpSample) => s.frozenMs, perHook: false },
];

/** Per action: CRIU's time from "Running <action> scripts" to its next step, with and without the hook. */
function hookRows(cohort: readonly DumpSample[], plain: readonly DumpSample[]) {
  return MEASURES.map(({ name, pick, perHook }) => {
    const withHook = median(cohort.map(pick));
    const without = median(plain.map(pick));
    const added = withHook - without;
    return {
      measure: name,
      runs: `${cohort.length}+${plain.length}`,
      cohort_p50_ms: round(withHook),
      runc_p50_ms: round(without),
      added_ms: round(added),
      goal: perHook ? `<= ${GOALS.hookMs} ms: ${added <= GOALS.hookMs ? 'met' : 'MISSED'}` : '-',
    };
  });
}

function wallRows(
  times: { cohort: number[]; one: number[]; four: number[] },
  context: { floor: number[]; solo: number[] },
) {
  const one = median(times.one);
  const four = median(times.four);
  const row = (name: string, samples: number[], goal = '-') => ({
    case: name,
    runs: samples.length,
    p50_ms: round(median(samples)),
    min_ms: round(Math.min(...samples)),
    max_ms: round(Math.max(...samples)),
    vs_runc_x1: round(median(samples) / one),
    vs_runc_x4: round(median(samples) / four),
    goal,
  });
  const ratio = median(times.cohort) / one;
  return [
    row('runc checkpoint, 1 container', times.one),
    row(`runc checkpoint, ${GROUP_SIZE} at once (uncoordinated)`, times.four),
    row(
      `cohort group of ${GROUP_SIZE}, at once`,
      times.cohort,
      `<= ${GOALS.groupRatio}x runc x1: ${ratio <= GOALS.groupRatio ? 'met' : 'MISSED'}`,
    ),
    row('context: cohort group of 1 (hook runs above)', context.solo),
    row('context: cohort checkpoint --help (Node + modules + runc)', context.floor),
  ];
}

/** The median time each stage of the group's rounds took, as the coordinator recorded it. */
async function stageRows(client: CoordinatorClient, group: string) {
  const rounds = (await client.history(group)).filter((r) => r.outcome === 'permanent');
  const stages: StageName[] = ['join', 'ready', 'frozen', 'vote', 'complete'];
  return stages.map((stage) => {
    const samples = rounds.flatMap((r) => {
      const ms = r.stageDurationsMs[stage];
      return ms === undefined ? [] : [ms];
    });
    return { stage, rounds: samples.length, p50_ms: round(median(samples)) };
  });
}

async function main(): Promise<number> {
  const probe = await probeCriu();
  if (probe.usable === undefined) {
    console.log('criu-bench: skipped, no usable CRIU (>= 3.19 and "criu check" passing):');
    for (const line of probe.rejected) console.log(`  - ${line}`);
    return 0;
  }
  if (!existsSync(RUNTIME_ENTRY))
    throw new Error(`${RUNTIME_ENTRY} is missing: run "npm run build" first`);
  const dir = mkdtempSync(join(tmpdir(), 'cohort-criu-bench-'));
  const socket = join(dir, 'cohortd.sock');
  const coordinator = await startCoordinator({
    listen: [`unix://${socket}`],
    stateDir: join(dir, 'cohortd'),
    logger: silentLogger,
  });
  const bench = new BenchContainers(probe.usable.path, socket);
  const client = await connectCoordinator({ address: `unix://${socket}`, connectTimeoutMs: 5_000 });
  try {
    console.log(
      `criu ${probe.usable.version} at ${probe.usable.path}; ${cpus().length} cores, load ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}; ${HOOK_RUNS} dumps per hook case, ${GROUP_RUNS} runs per group case`,
    );
    const solo = await bench.start('cohort', { name: 'solo', member: 'solo', members: ['solo'] });
    const plain = await bench.start('runc');
    // Interleaved, so drift on a shared machine falls on both cases alike.
    const cohortDumps: DumpSample[] = [];
    const plainDumps: DumpSample[] = [];
    for (let i = 0; i < HOOK_RUNS; i += 1) {
      cohortDumps.push(await sampleDump(bench, solo));
      plainDumps.push(await sampleDump(bench, plain));
    }
    printTable(
      "CRIU dump actions with cohort's hook (a group of 1) vs a plain runc container, from dump.log (--leave-running)",
      hookRows(cohortDumps, plainDumps),
    );

    const members = Array.from({ length: GROUP_SIZE }, (_, i) => `m${i}`);
    const group: BenchContainer[] = [];
    for (const member of members)
      group.push(await bench.start('cohort', { name: 'four', member, members }));
    const bare: BenchContainer[] = [];
    for (let i = 0; i < GROUP_SIZE; i += 1) bare.push(await bench.start('runc'));
    const times = { cohort: [] as number[], one: [] as number[], four: [] as number[] };
    const floor: number[] = [];
    for (let i = 0; i < GROUP_RUNS; i += 1) {
      times.cohort.push(await bench.checkpointAll(group));
      times.one.push(await bench.checkpointAll(bare.slice(0, 1)));
      times.four.push(await bench.checkpointAll(bare));
      floor.push(await bench.entryFloor());
    }
    printTable(
      'checkpoint --leave-running of idle containers: wall time, first start to last exit',
      wallRows(times, { floor, solo: cohortDumps.map((d) => d.ms) }),
    );
    printTable(
      `where a cohort group of ${GROUP_SIZE} spends its time: the coordinator's stage durations`,
      await stageRows(client, 'four'),
    );
    return 0;
  } finally {
    await bench.cleanup();
    client.close();
    await coordinator.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

process.exitCode = await main();
