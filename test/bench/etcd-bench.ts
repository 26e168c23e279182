// etcd backend: failover (leader process SIGKILLed → new leader's first fenced write done) over
// 20 trials, fenced write latency against a plain put on the same cluster, and how fast a leader
// learns it is deposed. A 3-member TLS cluster on loopback with etcd's default timers.
import { openEtcd, type EtcdOptions } from '../../src/etcd/index.js';
import { EtcdCluster } from '../helpers/etcd-cluster.js';
import { ContenderProcess } from '../etcd/support/contender-process.js';
import { percentile, printTable, round } from './stats.js';

const FAILOVER_TRIALS = 20;
const LATENCY_SAMPLES = 1000;

const summary = (name: string, samples: number[], extra: Record<string, number> = {}) => ({
  name,
  n: samples.length,
  p50_ms: round(percentile(samples, 50)),
  p99_ms: round(percentile(samples, 99)),
  max_ms: round(Math.max(...samples)),
  ...extra,
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function measureLatency(options: EtcdOptions): Promise<void> {
  const etcd = await openEtcd({ ...options, prefix: '/bench-latency/' });
  const leadership = await etcd.campaign('bench');
  const plain: number[] = [];
  const fenced: number[] = [];
  const time = async (work: () => Promise<unknown>, into: number[]): Promise<void> => {
    const started = process.hrtime.bigint();
    await work();
    into.push(Number(process.hrtime.bigint() - started) / 1e6);
  };
  // Interleaved blocks, after a warm-up, so drift in the machine's load hits both alike.
  for (let i = 0; i < 100; i += 1) await etcd.put(`k${i % 10}`, i);
  for (let block = 0; block < 10; block += 1) {
    for (let i = 0; i < LATENCY_SAMPLES / 10; i += 1) {
      await time(() => etcd.put(`k${i % 10}`, i), plain);
    }
    for (let i = 0; i < LATENCY_SAMPLES / 10; i += 1) {
      await time(() => leadership.write([{ type: 'put', key: `k${i % 10}`, value: i }]), fenced);
    }
  }
  const ratio = round(percentile(fenced, 50) / percentile(plain, 50));
  printTable('write latency, one client, sequential', [
    summary('plain put', plain),
    summary('fenced write (txn: compare create revision + put)', fenced, { p50_ratio: ratio }),
  ]);
  await leadership.resign();
  etcd.close();
}

async function waitForKeys(cluster: EtcdCluster, prefix: string, count: number): Promise<void> {
  for (;;) {
    const keys = cluster.ctl(['get', `${prefix}election/`, '--prefix', '--keys-only']);
    if (keys.split('\n').filter((line) => line.length > 0).length >= count) return;
    await sleep(50);
  }
}

async function measureFailover(cluster: EtcdCluster, options: EtcdOptions): Promise<void> {
  const prefix = '/bench-failover/';
  const spawned: ContenderProcess[] = [];
  const start = (n: number): ContenderProcess => {
    const contender = new ContenderProcess(`c${n}`, { ...options, prefix });
    spawned.push(contender);
    return contender;
  };
  try {
    let leader = start(0);
    await leader.next('leading');
    const samples: number[] = [];
    for (let trial = 1; trial <= FAILOVER_TRIALS; trial += 1) {
      const standby = start(trial);
      await standby.next('ready');
      await waitForKeys(cluster, prefix, 2);
      // A random point in the leader's renewal cycle, as a real crash would be.
      await sleep(Math.random() * 500);
      const killedAt = Date.now();
      await leader.kill();
      const line = await standby.next('leading', 0, 10_000);
      samples.push(line.at - killedAt);
      leader = standby;
    }
    printTable(`failover: leader SIGKILLed -> new leader's first fenced write done`, [
      summary('failover', samples),
    ]);
  } finally {
    await Promise.all(spawned.map((c) => c.kill()));
  }
}

async function measureNotice(cluster: EtcdCluster, options: EtcdOptions): Promise<void> {
  const etcd = await openEtcd({ ...options, prefix: '/bench-notice/', requestTimeoutMs: 2000 });
  const deleted: number[] = [];
  for (let trial = 0; trial < 10; trial += 1) {
    const leadership = await etcd.campaign('n');
    await sleep(Math.random() * 500);
    const started = Date.now();
    cluster.ctl(['del', leadership.key]);
    await leadership.lost;
    deleted.push(Date.now() - started);
  }
  const quorum: number[] = [];
  for (let trial = 0; trial < 3; trial += 1) {
    const leadership = await etcd.campaign('q');
    await sleep(Math.random() * 500);
    const started = Date.now();
    await Promise.all([cluster.kill(0), cluster.kill(1)]);
    await leadership.lost;
    quorum.push(Date.now() - started);
    await Promise.all([cluster.restart(0), cluster.restart(1)]);
    await sleep(3000);
  }
  printTable('leader learns it is deposed', [
    summary('its election key deleted (watch)', deleted),
    summary('quorum lost: 2 of 3 members killed (lease TTL)', quorum),
  ]);
  etcd.close();
}

const cluster = await EtcdCluster.start();
try {
  const options: EtcdOptions = { endpoints: cluster.endpoints(), tls: cluster.tls() };
  await measureLatency(options);
  await measureFailover(cluster, options);
  await measureNotice(cluster, options);
} finally {
  await cluster.destroy();
}
