// A full checkpoint round of 128 members (join → ready → frozen → vote → commit → complete,
// no CRIU), and cohortd's resident memory with 1024 member sessions connected.
// Run: npx tsx test/bench/coordinator-round.ts [--quick]   (after npm run build: cohortd runs as installed)
import { performance } from 'node:perf_hooks';
import { BenchDaemon } from './coordinator-bench-daemon.js';
import { connectClients, finishRound, joinAll } from './coordinator-bench-members.js';
import { round, summarize, table } from './coordinator-bench-stats.js';

const quick = process.argv.includes('--quick');
const ROUND_MEMBERS = 128;
const ROUNDS = quick ? 5 : 30;
const WARMUP_ROUNDS = 3;
const RSS_MEMBERS = 1024;
const CHURN_ROUNDS = quick ? 2 : 5;
const GOAL_ROUND_MS = 100;
const GOAL_RSS_MIB = 100;

type Row = {
  measure: string;
  n: number;
  p50: number;
  p99: number;
  max: number;
  goal: string;
  met: string;
};

async function fullRounds(address: string): Promise<number[]> {
  const clients = await connectClients(address, ROUND_MEMBERS);
  const samples: number[] = [];
  for (let r = 0; r < WARMUP_ROUNDS + ROUNDS; r++) {
    const t0 = performance.now();
    const sessions = await joinAll(clients, `round-${address.length}-${r}`, ROUND_MEMBERS);
    await Promise.all(sessions.map((s) => s.arrive('ready')));
    await Promise.all(sessions.map((s) => s.arrive('frozen')));
    await finishRound(sessions);
    if (r >= WARMUP_ROUNDS) samples.push(performance.now() - t0);
  }
  for (const client of clients) client.close();
  return samples;
}

/** RSS once 1024 members sit at the ready barrier, heartbeating, for a few seconds. */
async function rssWithMembers(
  daemon: BenchDaemon,
  group: string,
): Promise<{ rss: number; finish: () => Promise<void> }> {
  const clients = await connectClients(daemon.unix, RSS_MEMBERS);
  const sessions = await joinAll(clients, group, RSS_MEMBERS);
  await Promise.all(sessions.map((s) => s.arrive('ready')));
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  const rss = daemon.rssMiB();
  return {
    rss,
    finish: async () => {
      await finishRound(sessions);
      for (const client of clients) client.close();
    },
  };
}

function single(measure: string, value: number, goal?: number): Row {
  const v = round(value, 1);
  return {
    measure,
    n: 1,
    p50: v,
    p99: v,
    max: v,
    goal: goal === undefined ? '-' : `<= ${goal}`,
    met: goal === undefined ? '-' : value <= goal ? 'yes' : 'NO',
  };
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  const rounds = new BenchDaemon();
  try {
    for (const [transport, address] of [
      ['unix', rounds.unix],
      ['tcp', rounds.tcp],
    ] as const) {
      const stats = summarize(await fullRounds(address));
      rows.push({
        measure: `round of ${ROUND_MEMBERS} over ${transport} (ms)`,
        ...stats,
        goal: `p99 <= ${GOAL_ROUND_MS}`,
        met: stats.p99 <= GOAL_ROUND_MS ? 'yes' : 'NO',
      });
    }
  } finally {
    await rounds.stop();
  }
  const memory = new BenchDaemon();
  try {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    rows.push(single('cohortd RSS idle (MiB)', memory.rssMiB()));
    const fresh = await rssWithMembers(memory, 'rss-fresh');
    rows.push(
      single(`cohortd RSS, ${RSS_MEMBERS} members connected (MiB)`, fresh.rss, GOAL_RSS_MIB),
    );
    await fresh.finish();
    const clients = await connectClients(memory.unix, RSS_MEMBERS);
    for (let r = 0; r < CHURN_ROUNDS; r++) {
      const sessions = await joinAll(clients, `churn-${r}`, RSS_MEMBERS);
      await Promise.all(sessions.map((s) => s.arrive('ready')));
      await Promise.all(sessions.map((s) => s.arrive('frozen')));
      await finishRound(sessions);
    }
    for (const client of clients) client.close();
    const again = await rssWithMembers(memory, 'rss-again');
    rows.push(
      single(`... again after ${CHURN_ROUNDS} more rounds of ${RSS_MEMBERS} (MiB)`, again.rss),
    );
    await again.finish();
  } finally {
    await memory.stop();
  }
  console.log(
    `full rounds (${ROUNDS} measured after ${WARMUP_ROUNDS} warm-up; members declare their names) and memory;` +
      ` cohortd: ${memory.runner}, own process; clients in this process, 16 member streams per connection`,
  );
  console.log(
    table(
      ['measure', 'n', 'p50', 'p99', 'max', 'goal', 'met'],
      rows.map((r) => [r.measure, r.n, r.p50, r.p99, r.max, r.goal, r.met]),
    ),
  );
  console.log(JSON.stringify({ benchmark: 'coordinator-round', results: rows }));
}

await main();
