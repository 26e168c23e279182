// Groups on 1 s intervals with simulated members (FAKE agents, schedule-bench-agent.ts): how late
// cohortd starts each scheduled round (jitter) and how much CPU it uses between rounds; one group
// measured the same way in the same run is the baseline.
// Run: npx tsx test/bench/schedule-bench.ts [--quick]   (after npm run build: cohortd runs as installed)
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connectCoordinator } from '../../src/coordinator/client.js';
import { spawnDaemon, type DaemonProcess } from '../nodes/support/daemon.js';
import { percentile, round, table } from './coordinator-bench-stats.js';
import { FakeAgent, type Arrival } from './schedule-bench-agent.js';

const quick = process.argv.includes('--quick');
const GROUPS = 100;
const INTERVAL_MS = 1_000;
const WARMUP_MS = 4_000;
const MEASURE_MS = quick ? 8_000 : 30_000;
const GOAL_JITTER_P99_MS = 50;
const GOAL_IDLE_CPU = 5;
/** The kernel's clock ticks per second (USER_HZ) in /proc/PID/stat. */
const TICKS_PER_S = 100;
const JITTER_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5];

interface Figures {
  groups: number;
  rounds: number;
  /** cohortd's own histogram, cohort_schedule_jitter_seconds, over the measured window. */
  jitter: { p50: string; p99: string; within50: number };
  /** Between two checkpoint commands of a group, less the interval, as the agents saw them. */
  arrivalP50: number;
  arrivalP99: number;
  /** Command to publish, per round (ms). */
  roundP50: number;
  roundP99: number;
  /** First to last command of one second, over the groups. */
  spreadMs: number;
  cpuGaps: number;
  cpuTotal: number;
  gapsMs: number;
  /** cohortd's event-loop delay over the window (prom-client's, 10 ms resolution). */
  lagP99: number;
  lagMax: number;
}

/** cohortd's user+system CPU so far, in seconds. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S;
}

/** The jitter histogram's cumulative buckets, and the event loop's delay since the last scrape. */
async function scrape(
  metrics: string,
): Promise<{ buckets: number[]; lagP99: number; lagMax: number }> {
  const lines = (await (await fetch(`http://${metrics}/metrics`)).text()).split('\n');
  const value = (prefix: string) =>
    Number(lines.find((l) => l.startsWith(prefix))?.split(' ')[1] ?? NaN);
  return {
    buckets: JITTER_BUCKETS.map((le) => value(`cohort_schedule_jitter_seconds_bucket{le="${le}"}`)),
    // prom-client resets its event-loop delay histogram at each scrape: these cover the window.
    lagP99: value('nodejs_eventloop_lag_p99_seconds ') * 1000,
    lagMax: value('nodejs_eventloop_lag_max_seconds ') * 1000,
  };
}

/** The bucket bound below which `p` % of the observations fell (Prometheus-style, coarse). */
function bucketPercentile(counts: readonly number[], total: number, p: number): string {
  const index = counts.findIndex((count) => count >= (p / 100) * total);
  return index < 0 ? '> 5 s' : `<= ${(JITTER_BUCKETS[index] ?? 0) * 1000} ms`;
}

async function measure(groups: number): Promise<Figures> {
  const dir = mkdtempSync(join(tmpdir(), 'cohort-schedule-bench-'));
  const address = `unix://${join(dir, 'cohortd.sock')}`;
  let cohortd: DaemonProcess | undefined;
  const agents: FakeAgent[] = [];
  try {
    cohortd = spawnDaemon(
      [
        ...['--listen', address, '--state-dir', join(dir, 'state'), '--no-agent'],
        ...['--metrics-listen', '127.0.0.1:0'],
      ],
      {
        env: { PATH: process.env.PATH ?? '', COHORT_NODE: process.execPath },
        logFile: join(dir, 'cohortd.log'),
      },
    );
    const metrics = String((await cohortd.waitFor('coordinator-started')).metrics);
    const names = Array.from({ length: groups }, (_, i) => `g${i}`);
    for (const [node, member] of [
      ['n1', 'a'],
      ['n2', 'b'],
    ] as const) {
      const members = names.map((group) => ({ group, member, members: ['a', 'b'] }));
      agents.push(new FakeAgent(address, node, members));
    }
    await Promise.all(agents.map((a) => a.start()));
    const client = await connectCoordinator({ address, connectTimeoutMs: 10_000 });
    for (;;) {
      const { nodes } = await client.groups.nodes();
      if (nodes.filter((n) => n.members.length === groups).length === 2) break;
      await sleep(50);
    }
    // Set together (as fast as cohortd records them): the groups' rounds begin close together.
    await Promise.all(
      names.map((group) =>
        client.groups.setPolicy({
          group,
          policy: {
            intervalMs: INTERVAL_MS,
            store: `dir:${join(dir, 'never-written')}`,
            keep: 3,
            onFailure: 'none',
            leaveRunning: true,
            tcpEstablished: false,
            fileLocks: false,
          },
          fields: ['interval_ms', 'store', 'keep'],
        }),
      ),
    );
    client.close();
    await sleep(WARMUP_MS);

    // Between rounds: from the last publish of one burst to the first command of the next.
    const active = new Map<string, number>();
    const durations: number[] = [];
    let gap: { at: number; cpu: number } | undefined;
    let gapMs = 0;
    let gapCpu = 0;
    let measuring = true;
    const pid = cohortd.pid;
    const opened = (arrival: Arrival) => {
      const key = `${arrival.group}/${arrival.epoch}`;
      if (!measuring || active.has(key)) return;
      if (active.size === 0 && gap !== undefined) {
        gapMs += performance.now() - gap.at;
        gapCpu += cpuSeconds(pid) - gap.cpu;
        gap = undefined;
      }
      active.set(key, arrival.at);
    };
    const published = (group: string) => {
      for (const [key, at] of active) {
        if (!key.startsWith(`${group}/`)) continue;
        active.delete(key);
        durations.push(performance.now() - at);
      }
      if (measuring && active.size === 0) gap = { at: performance.now(), cpu: cpuSeconds(pid) };
    };
    for (const agent of agents) {
      agent.onCheckpoint = opened;
      agent.onPublished = published;
    }
    const start = performance.now();
    const cpuStart = cpuSeconds(pid);
    const before = (await scrape(metrics)).buckets;
    await sleep(MEASURE_MS);
    measuring = false;
    const scraped = await scrape(metrics);
    const after = scraped.buckets;
    const cpuTotal = (cpuSeconds(pid) - cpuStart) / ((performance.now() - start) / 1000);
    const counts = after.map((count, i) => count - (before[i] ?? 0));
    const observed = counts.at(-1) ?? 0;

    const arrivals = (agents[0]?.arrivals ?? []).filter((a) => a.at >= start);
    const deviations: number[] = [];
    const spreads: number[] = [];
    for (const group of names) {
      const times = arrivals.filter((a) => a.group === group).map((a) => a.at);
      for (let i = 1; i < times.length; i += 1)
        deviations.push((times[i] ?? 0) - (times[i - 1] ?? 0) - INTERVAL_MS);
    }
    const seconds = new Map<number, number[]>();
    for (const a of arrivals) {
      const second = Math.floor((a.at - start) / INTERVAL_MS);
      seconds.set(second, [...(seconds.get(second) ?? []), a.at]);
    }
    for (const times of seconds.values()) spreads.push(Math.max(...times) - Math.min(...times));
    return {
      groups,
      rounds: arrivals.length,
      jitter: {
        p50: bucketPercentile(counts, observed, 50),
        p99: bucketPercentile(counts, observed, 99),
        within50: observed === 0 ? NaN : (counts[4] ?? 0) / observed,
      },
      arrivalP50: round(percentile(deviations, 50), 1),
      arrivalP99: round(percentile(deviations, 99), 1),
      roundP50: round(percentile(durations, 50), 1),
      roundP99: round(percentile(durations, 99), 1),
      spreadMs: round(percentile(spreads, 50), 1),
      cpuGaps: gapMs === 0 ? NaN : round((100 * gapCpu) / (gapMs / 1000), 2),
      cpuTotal: round(100 * cpuTotal, 2),
      gapsMs: round(gapMs),
      lagP99: round(scraped.lagP99, 1),
      lagMax: round(scraped.lagMax, 1),
    };
  } finally {
    for (const agent of agents) agent.stop();
    await cohortd?.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const base = await measure(1);
  const many = await measure(GROUPS);
  const row = (f: Figures) => [
    f.groups,
    f.rounds,
    f.jitter.p50,
    f.jitter.p99,
    `${round(100 * f.jitter.within50, 1)} %`,
    f.arrivalP50,
    f.arrivalP99,
    f.roundP50,
    f.roundP99,
    f.spreadMs,
    f.cpuGaps,
    f.cpuTotal,
    round(f.gapsMs / 1000, 1),
    f.lagP99,
    f.lagMax,
  ];
  console.log(
    `scheduled checkpoints, ${INTERVAL_MS} ms interval, ${MEASURE_MS / 1000} s measured after ${WARMUP_MS / 1000} s;` +
      ' two FAKE agents, each member joins its round as the runtime would (no CRIU, no engine, no store);' +
      ' cohortd: bin/cohortd (dist), own process, log level info, state log on ' +
      `${tmpdir()}; load average ${loadavg()
        .map((l) => round(l, 1))
        .join(' ')} on ${availableParallelism()} cores`,
  );
  console.log(
    table(
      [
        'groups',
        'rounds',
        'jitter p50',
        'jitter p99',
        '<= 50 ms',
        'arrival dev p50',
        'p99 (ms)',
        'round p50',
        'p99 (ms)',
        'spread (ms)',
        'CPU between rounds %',
        'CPU overall %',
        'gaps (s)',
        'loop lag p99',
        'max (ms)',
      ],
      [row(base), row(many)],
    ),
  );
  const p99Met = many.jitter.within50 >= 0.99;
  const cpuMet = many.cpuGaps <= GOAL_IDLE_CPU;
  console.log(
    `goals (${GROUPS} groups): jitter p99 <= ${GOAL_JITTER_P99_MS} ms: ${p99Met ? 'yes' : 'NO'};` +
      ` CPU between rounds <= ${GOAL_IDLE_CPU} % of a core: ${cpuMet ? 'yes' : 'NO'}` +
      ` (${round(many.cpuGaps / base.cpuGaps, 1)}x one group's)`,
  );
  console.log(JSON.stringify({ benchmark: 'schedule', results: [base, many] }));
  process.exitCode = p99Met && cpuMet ? 0 : 1;
}

await main();
