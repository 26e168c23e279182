// Barrier release latency: from the last member's arrival to every member released.
// Run: npx tsx test/bench/barrier-latency.ts [--quick]   (after npm run build: cohortd runs as installed)
import { performance } from 'node:perf_hooks';
import type { MemberSession } from '../../src/coordinator/client.js';
import { BenchDaemon } from './coordinator-bench-daemon.js';
import {
  connectClients,
  finishRound,
  joinAll,
  untilAtStage,
  type Declaration,
} from './coordinator-bench-members.js';
import { summarize, table } from './coordinator-bench-stats.js';

const quick = process.argv.includes('--quick');
/** [members, measured rounds]; each round gives two samples (ready, frozen). */
const SIZES: [number, number][] = quick
  ? [
      [2, 20],
      [16, 10],
      [128, 4],
      [1024, 2],
    ]
  : [
      [2, 150],
      [16, 100],
      [128, 50],
      [1024, 20],
    ];
const WARMUP_ROUNDS = 2;
const GOALS_P99_MS: Record<number, number> = { 128: 5, 1024: 50 };
const RUNS: [string, 'unix' | 'tcp', Declaration][] = [
  ['unix, names declared', 'unix', 'members'],
  ['tcp, names declared', 'tcp', 'members'],
  ['unix, size declared', 'unix', 'size'],
];

/** One barrier: everyone but the last arrives; time the last arrival until all are released. */
async function measureBarrier(
  sessions: MemberSession[],
  stage: 'ready' | 'frozen',
  probe: () => Promise<void>,
): Promise<number> {
  const last = sessions.at(-1);
  if (last === undefined) throw new Error('no members');
  const others = sessions.slice(0, -1).map((s) => s.arrive(stage));
  await probe();
  const t0 = performance.now();
  await Promise.all([...others, last.arrive(stage)]);
  return performance.now() - t0;
}

async function measure(address: string, size: number, rounds: number, declaration: Declaration) {
  const clients = await connectClients(address, size);
  const probe = clients[0];
  if (probe === undefined) throw new Error('no client');
  const ready: number[] = [];
  const frozen: number[] = [];
  for (let r = 0; r < WARMUP_ROUNDS + rounds; r++) {
    const group = `b${address.length}${declaration}${size}r${r}`;
    const sessions = await joinAll(clients, group, size, declaration);
    const a = await measureBarrier(sessions, 'ready', () =>
      untilAtStage(probe, group, 'ready', size - 1),
    );
    const b = await measureBarrier(sessions, 'frozen', () =>
      untilAtStage(probe, group, 'frozen', size - 1),
    );
    if (r >= WARMUP_ROUNDS) {
      ready.push(a);
      frozen.push(b);
    }
    await finishRound(sessions);
  }
  for (const client of clients) client.close();
  return { ready, frozen };
}

async function main(): Promise<void> {
  const daemon = new BenchDaemon();
  const results: Record<string, string | number | boolean | null>[] = [];
  try {
    for (const [label, transport, declaration] of RUNS) {
      const address = transport === 'unix' ? daemon.unix : daemon.tcp;
      for (const [size, rounds] of SIZES) {
        if (declaration === 'size' && size < 128) continue;
        const { ready, frozen } = await measure(address, size, rounds, declaration);
        const all = summarize([...ready, ...frozen]);
        const goal = GOALS_P99_MS[size] ?? null;
        results.push({
          run: label,
          members: size,
          ...all,
          readyP99: summarize(ready).p99,
          frozenP99: summarize(frozen).p99,
          goalP99Ms: goal,
          met: goal === null ? null : all.p99 <= goal,
        });
      }
    }
  } finally {
    await daemon.stop();
  }
  const baseline = Number(results[0]?.p50);
  console.log(
    `barrier release latency (ms): last arrival -> every member released. cohortd: ${daemon.runner}, own process;` +
      ` clients in this process, 16 member streams per connection; ${WARMUP_ROUNDS} warm-up rounds not counted.` +
      ` "size declared": the ready release also carries every name to every member.`,
  );
  console.log(
    table(
      [
        'run',
        'members',
        'samples',
        'p50',
        'p99',
        'max',
        'ready p99',
        'frozen p99',
        'p50 vs 2',
        'goal p99',
        'met',
      ],
      results.map((r) => [
        String(r.run),
        Number(r.members),
        Number(r.n),
        Number(r.p50),
        Number(r.p99),
        Number(r.max),
        Number(r.readyP99),
        Number(r.frozenP99),
        `${(Number(r.p50) / baseline).toFixed(1)}x`,
        r.goalP99Ms === null ? '-' : `<= ${String(r.goalP99Ms)}`,
        r.met === null ? '-' : r.met ? 'yes' : 'NO',
      ]),
    ),
  );
  console.log(JSON.stringify({ benchmark: 'barrier-latency', unit: 'ms', results }));
}

await main();
