// cohort's front door against bare runc on the same container, in one run:
// `state` wall time, peak RSS of a pass-through call, and the cost `create` adds.
// Run: npm run build && npx tsx test/bench/runtime-bench.ts [--iterations N]
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  COHORT_BIN,
  createRuntimeSandbox,
  RUNC,
  RUNTIME_ENTRY,
  type RuntimeSandbox,
} from '../helpers/runc.js';

const GNU_TIME = '/usr/bin/time';
const MIB = 1024;

const GOALS = {
  stateRatio: 1.3,
  rssExtraKiB: 2 * MIB,
  createExtraMs: 120,
};

interface PeakRssReport {
  cohortStateKiB: number;
  runcStateKiB: number;
  extraKiB: number;
  cohortCreateKiB: number;
  runcCreateKiB: number;
  goal: string;
}

function iterationsFromArgv(): number {
  const index = process.argv.indexOf('--iterations');
  const value = index === -1 ? 40 : Number(process.argv[index + 1]);
  if (!Number.isInteger(value) || value < 30)
    throw new Error('--iterations takes a whole number >= 30');
  return value;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/**
 * Wall time of one call, in ms; fails loudly if the call fails (a broken bench measures nothing).
 * stderr goes to a file: a created container keeps runc's stdio, so a pipe would never close.
 */
function timed(sandbox: RuntimeSandbox, cmd: string, args: string[]): number {
  const errPath = join(sandbox.dir, 'timed.err');
  const err = openSync(errPath, 'w');
  const start = performance.now();
  const result = spawnSync(cmd, args, { env: sandbox.env, stdio: ['ignore', 'ignore', err] });
  const elapsed = performance.now() - start;
  closeSync(err);
  if (result.status !== 0)
    throw new Error(`${cmd} ${args.join(' ')} failed: ${readFileSync(errPath, 'utf8')}`);
  return elapsed;
}

/** Peak RSS (KiB) of a call and its waited-for children, as GNU time reports it from wait4. */
function peakRss(sandbox: RuntimeSandbox, cmd: string, args: string[]): number {
  const out = join(sandbox.dir, 'time.out');
  const result = spawnSync(GNU_TIME, ['-f', '%M', '-o', out, cmd, ...args], {
    env: sandbox.env,
    stdio: 'ignore',
  });
  if (result.status !== 0)
    throw new Error(`${cmd} ${args.join(' ')} failed with status ${result.status}`);
  return Number(readFileSync(out, 'utf8').trim().split('\n').pop());
}

async function main(): Promise<void> {
  if (!existsSync(RUNTIME_ENTRY))
    throw new Error(`${RUNTIME_ENTRY} is missing: run "npm run build" first`);
  const iterations = iterationsFromArgv();
  const sandbox = createRuntimeSandbox();
  try {
    const bundle = sandbox.bundle({ args: ['sleep', '1000'] });
    const id = sandbox.id('bench');
    const created = await sandbox.create('runc', id, bundle);
    if (created.exitCode !== 0) throw new Error(`runc create failed: ${created.stderr}`);
    await sandbox.runc(['start', id]);
    const stateArgs = ['--root', sandbox.root, 'state', id];

    // Warm the page cache for both binaries before measuring either.
    for (let i = 0; i < 5; i += 1) {
      timed(sandbox, COHORT_BIN, stateArgs);
      timed(sandbox, RUNC, stateArgs);
    }
    const stateCohort: number[] = [];
    const stateRunc: number[] = [];
    for (let i = 0; i < iterations; i += 1) {
      // Interleaved, so drift in machine load hits both sides alike.
      stateCohort.push(timed(sandbox, COHORT_BIN, stateArgs));
      stateRunc.push(timed(sandbox, RUNC, stateArgs));
    }

    const rss: {
      cohortState: number[];
      runcState: number[];
      cohortCreate: number[];
      runcCreate: number[];
    } = {
      cohortState: [],
      runcState: [],
      cohortCreate: [],
      runcCreate: [],
    };
    const haveTime = existsSync(GNU_TIME);
    if (haveTime) {
      for (let i = 0; i < iterations; i += 1) {
        rss.cohortState.push(peakRss(sandbox, COHORT_BIN, stateArgs));
        rss.runcState.push(peakRss(sandbox, RUNC, stateArgs));
      }
    }

    const createCohort: number[] = [];
    const createRunc: number[] = [];
    for (let i = 0; i < iterations; i += 1) {
      for (const [binary, samples, rssSamples] of [
        [COHORT_BIN, createCohort, rss.cohortCreate],
        [RUNC, createRunc, rss.runcCreate],
      ] as const) {
        const createId = sandbox.id('benchc');
        const args = ['--root', sandbox.root, 'create', '--bundle', bundle, createId];
        if (haveTime && i < 5) rssSamples.push(peakRss(sandbox, binary, args));
        else samples.push(timed(sandbox, binary, args));
        spawnSync(RUNC, ['--root', sandbox.root, 'delete', '-f', createId], { stdio: 'ignore' });
      }
    }

    const peakRssReport: PeakRssReport | { unavailable: string } = haveTime
      ? {
          cohortStateKiB: median(rss.cohortState),
          runcStateKiB: median(rss.runcState),
          extraKiB: median(rss.cohortState) - median(rss.runcState),
          cohortCreateKiB: median(rss.cohortCreate),
          runcCreateKiB: median(rss.runcCreate),
          goal: `state: <= runc + ${GOALS.rssExtraKiB} KiB`,
        }
      : { unavailable: `${GNU_TIME} not found (apt-get install time)` };
    const report = {
      iterations,
      state: {
        cohortMs: median(stateCohort),
        runcMs: median(stateRunc),
        ratio: median(stateCohort) / median(stateRunc),
        goal: `<= ${GOALS.stateRatio}`,
      },
      peakRss: peakRssReport,
      create: {
        cohortMs: median(createCohort),
        runcMs: median(createRunc),
        extraMs: median(createCohort) - median(createRunc),
        goal: `<= ${GOALS.createExtraMs} ms`,
      },
    };
    const pass = {
      state: report.state.ratio <= GOALS.stateRatio,
      rss: 'extraKiB' in peakRssReport ? peakRssReport.extraKiB <= GOALS.rssExtraKiB : undefined,
      create: report.create.extraMs <= GOALS.createExtraMs,
    };
    const verdict = (ok: boolean | undefined): string =>
      ok === undefined ? 'n/a' : ok ? 'ok' : 'MISSED';
    const rows: [string, string, string, string, string, string][] = [
      ['measure', 'cohort', 'runc', 'cohort vs runc', 'goal', ''],
      [
        'state wall (median ms)',
        report.state.cohortMs.toFixed(2),
        report.state.runcMs.toFixed(2),
        `x${report.state.ratio.toFixed(2)}`,
        report.state.goal,
        verdict(pass.state),
      ],
    ];
    if ('extraKiB' in peakRssReport) {
      const p = peakRssReport;
      rows.push([
        'state peak RSS (KiB)',
        String(p.cohortStateKiB),
        String(p.runcStateKiB),
        `+${p.extraKiB}`,
        `<= +${GOALS.rssExtraKiB}`,
        verdict(pass.rss),
      ]);
      rows.push([
        'create peak RSS (KiB)',
        String(p.cohortCreateKiB),
        String(p.runcCreateKiB),
        `+${p.cohortCreateKiB - p.runcCreateKiB}`,
        '(info)',
        '',
      ]);
    }
    rows.push([
      'create wall (median ms)',
      report.create.cohortMs.toFixed(2),
      report.create.runcMs.toFixed(2),
      `+${report.create.extraMs.toFixed(2)} ms`,
      report.create.goal,
      verdict(pass.create),
    ]);
    const widths =
      rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
    for (const row of rows)
      console.log(row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  '));
    console.log(JSON.stringify({ ...report, pass }, null, 2));
  } finally {
    await sandbox.cleanup();
  }
}

await main();
