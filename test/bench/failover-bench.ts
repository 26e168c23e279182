// cohortd on etcd, three replicas: failover, a voted member's extra frozen time, and what etcd
// costs the protocol's fast path, each against the embedded single coordinator in the same run.
// Run: npm run build && npx tsx test/bench/failover-bench.ts [--quick]   (as root: real containers)
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  connectCoordinator,
  type CoordinatorClient,
  type MemberSession,
} from '../../src/coordinator/client.js';
import { EtcdCluster } from '../helpers/etcd-cluster.js';
import { REPO_ROOT } from '../helpers/runc.js';
import { startGroup } from '../session/group-harness.js';
import { killAfterVote } from '../replicas/support/kill-after-vote.js';
import { startReplicaGroup } from '../replicas/support/member-group.js';
import { ReplicaSet } from '../replicas/support/replica-set.js';
import { BenchDaemon } from './coordinator-bench-daemon.js';
import { percentile, printTable, round } from './stats.js';

const quick = process.argv.includes('--quick');
const FAILOVER_TRIALS = quick ? 5 : 20;
const FROZEN_TRIALS = quick ? 2 : 5;
const MEMBERS = 128;
const BARRIER_ROUNDS = quick ? 10 : 50;
const FULL_ROUNDS = quick ? 10 : 30;
const WARMUP = 3;
const PER_CONNECTION = 16;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const stats = (samples: number[]) => ({
  n: samples.length,
  p50_ms: round(percentile(samples, 50), 1),
  p99_ms: round(percentile(samples, 99), 1),
  max_ms: round(Math.max(...samples), 1),
});

/** Leader SIGKILLed at a random point of its lease cycle → a client's first change accepted. */
async function failover(set: ReplicaSet, client: CoordinatorClient): Promise<number[]> {
  const samples: number[] = [];
  for (let trial = 0; trial < FAILOVER_TRIALS; trial += 1) {
    const leader = await set.waitForLeader();
    await sleep(Math.random() * 500);
    const killedAt = performance.now();
    await set.kill(leader);
    await client.applyGroup({ name: `failover${trial}`, size: 1 });
    samples.push(performance.now() - killedAt);
    await set.restart(leader);
  }
  return samples;
}

/** 128 members over a few connections, all sending to whichever replica leads. */
async function members(addresses: string[]): Promise<CoordinatorClient[]> {
  return Promise.all(
    Array.from({ length: MEMBERS / PER_CONNECTION }, () =>
      connectCoordinator({ address: addresses, insecure: true, connectTimeoutMs: 20_000 }),
    ),
  );
}

async function joinAll(clients: CoordinatorClient[], group: string): Promise<MemberSession[]> {
  const names = Array.from({ length: MEMBERS }, (_, i) => `m${i}`);
  return Promise.all(
    names.map((member, i) =>
      (clients[Math.floor(i / PER_CONNECTION)] as CoordinatorClient).openSession({
        group,
        member,
        kind: 'checkpoint',
        declaredMembers: names,
      }),
    ),
  );
}

async function untilAt(client: CoordinatorClient, group: string, stage: string): Promise<void> {
  for (;;) {
    const round = (await client.status(group)).groups[0]?.openRound;
    if ((round?.members.filter((m) => m.stage === stage).length ?? 0) >= MEMBERS - 1) return;
    await sleep(2);
  }
}

async function finish(sessions: MemberSession[]): Promise<void> {
  await Promise.all(sessions.map((s) => s.vote(true)));
  await Promise.all(sessions.map((s) => s.complete({ ok: true, imageLocation: '/bench' })));
  for (const s of sessions) s.close();
}

/** Last member's arrival → every member released, at ready and at frozen (nothing is written). */
async function barriers(addresses: string[], label: string): Promise<number[]> {
  const clients = await members(addresses);
  const probe = clients[0] as CoordinatorClient;
  const samples: number[] = [];
  for (let r = 0; r < WARMUP + BARRIER_ROUNDS; r += 1) {
    const group = `barrier-${label}-${r}`;
    const sessions = await joinAll(clients, group);
    for (const stage of ['ready', 'frozen'] as const) {
      const others = sessions.slice(0, -1).map((s) => s.arrive(stage));
      await untilAt(probe, group, stage);
      const t0 = performance.now();
      await Promise.all([...others, (sessions.at(-1) as MemberSession).arrive(stage)]);
      if (r >= WARMUP) samples.push(performance.now() - t0);
    }
    await finish(sessions);
  }
  for (const c of clients) c.close();
  return samples;
}

/** A whole round: join, ready, frozen, vote, commit, complete (opened, decided, closed written). */
async function fullRounds(addresses: string[], label: string): Promise<number[]> {
  const clients = await members(addresses);
  const samples: number[] = [];
  for (let r = 0; r < WARMUP + FULL_ROUNDS; r += 1) {
    const t0 = performance.now();
    const sessions = await joinAll(clients, `round-${label}-${r}`);
    await Promise.all(sessions.map((s) => s.arrive('ready')));
    await Promise.all(sessions.map((s) => s.arrive('frozen')));
    await finish(sessions);
    if (r >= WARMUP) samples.push(performance.now() - t0);
  }
  for (const c of clients) c.close();
  return samples;
}

/** The same scenario against one embedded cohortd that is killed and not restarted. */
async function frozenWithOneCoordinator(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'cohort-bench-single-'));
  const socket = join(dir, 'cohortd.sock');
  const daemon = spawn(join(REPO_ROOT, 'bin', 'cohortd'), [
    ...['--listen', `unix://${socket}`, '--state-dir', join(dir, 'state'), '--no-agent'],
    ...['--log-level', 'error'],
  ]);
  for (let i = 0; i < 400 && !existsSync(socket); i += 1) await sleep(25);
  const fixture = await startGroup({ size: 2, socket, reconnectWindowMs: 15_000 });
  const client = await connectCoordinator({ address: `unix://${socket}`, connectTimeoutMs: 5_000 });
  try {
    const { extraFrozenMs } = await killAfterVote(fixture, client, async () => {
      daemon.kill('SIGKILL');
      await new Promise((resolve) => daemon.once('exit', resolve));
    });
    return extraFrozenMs;
  } finally {
    client.close();
    await fixture.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const cluster = await EtcdCluster.start({ heartbeatMs: 50, electionMs: 500 });
  const embedded = new BenchDaemon();
  try {
    const set = await ReplicaSet.start(cluster, { prefix: '/bench/', insecure: true });
    const client = await set.client();
    const failovers = await failover(set, client);

    const fixture = await startReplicaGroup(set, 2, 15_000);
    const frozen: number[] = [];
    for (let trial = 0; trial < FROZEN_TRIALS; trial += 1) {
      const leader = await set.waitForLeader();
      const { extraFrozenMs } = await killAfterVote(fixture, client, () => set.kill(leader));
      frozen.push(extraFrozenMs);
      await set.restart(leader);
    }
    await fixture.cleanup();
    const single = await frozenWithOneCoordinator();

    // Barriers and rounds: the embedded log and etcd, one after the other in this run.
    const embeddedBarriers = await barriers([embedded.tcp], 'log');
    const etcdBarriers = await barriers(set.addresses, 'etcd');
    const embeddedRounds = await fullRounds([embedded.tcp], 'log');
    const etcdRounds = await fullRounds(set.addresses, 'etcd');
    client.close();
    await set.stop();

    const ratio = round(percentile(etcdBarriers, 99) / percentile(embeddedBarriers, 99), 2);
    printTable(
      'cohortd on a 3-member etcd (TLS, --heartbeat-interval=50 --election-timeout=500), 3 replicas',
      [
        {
          measure: `failover: leader SIGKILLed -> a change accepted`,
          ...stats(failovers),
          goal: 'p99 <= 3000',
          met: percentile(failovers, 99) <= 3000,
        },
        {
          measure: 'voted member frozen after the leader died (replicas)',
          ...stats(frozen),
          goal: 'max <= 3000',
          met: Math.max(...frozen) <= 3000,
        },
        {
          measure: 'voted member frozen after the coordinator died (one, embedded)',
          ...stats([single]),
          goal: '-',
          met: true,
        },
        {
          measure: `barrier release, ${MEMBERS} members, embedded log`,
          ...stats(embeddedBarriers),
          goal: '-',
          met: true,
        },
        {
          measure: `barrier release, ${MEMBERS} members, etcd`,
          ...stats(etcdBarriers),
          goal: `p99 <= 2x embedded (${ratio}x)`,
          met: ratio <= 2,
        },
        {
          measure: `round of ${MEMBERS}, embedded log`,
          ...stats(embeddedRounds),
          goal: '-',
          met: true,
        },
        {
          measure: `round of ${MEMBERS}, etcd`,
          ...stats(etcdRounds),
          goal: 'p99 <= 150',
          met: percentile(etcdRounds, 99) <= 150,
        },
      ],
    );
  } finally {
    await embedded.stop();
    await cluster.destroy();
  }
}

await main();
