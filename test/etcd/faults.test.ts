import { afterAll, beforeAll, expect, test } from 'vitest';
import { ErrorCode, type CohortError } from '../../src/core/errors.js';
import { openEtcd, type EtcdClient, type EtcdOptions } from '../../src/etcd/index.js';
import { EtcdCluster, freePorts } from '../helpers/etcd-cluster.js';

const REQUEST_TIMEOUT_MS = 2000;
let cluster: EtcdCluster;
const clients: EtcdClient[] = [];

beforeAll(async () => {
  // etcd's timers as advised for cohort (ETCD_DEFAULTS): with its default 1 s election timeout,
  // etcd's own failover can outlast the 2 s lease and depose the cohort leader too.
  cluster = await EtcdCluster.start({ heartbeatMs: 50, electionMs: 500 });
});

afterAll(async () => {
  for (const client of clients) client.close();
  await cluster?.destroy();
});

function options(prefix: string, endpoints = cluster.endpoints()): EtcdOptions {
  return { endpoints, tls: cluster.tls(), prefix, requestTimeoutMs: REQUEST_TIMEOUT_MS };
}

async function client(prefix: string, endpoints?: string[]): Promise<EtcdClient> {
  const opened = await openEtcd(options(prefix, endpoints));
  clients.push(opened);
  return opened;
}

/** How long `work` took to settle, and the error it rejected with. */
async function timeFailure(work: Promise<unknown>): Promise<{ ms: number; error: CohortError }> {
  const started = Date.now();
  const error = (await work.then(
    () => new Error('expected a failure'),
    (e: unknown) => e,
  )) as CohortError;
  return { ms: Date.now() - started, error };
}

/** Retries `work` until it succeeds or `ms` pass. */
async function eventually<T>(work: () => Promise<T>, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await work();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

test('a follower member killed under the client: writes go on and the leader keeps leading', async () => {
  const raftLeader = cluster.raftLeader();
  const victim = (raftLeader + 1) % cluster.size;
  // The victim first in the list: it is the member the client talks to.
  const endpoints = cluster.endpoints();
  const ordered = [endpoints[victim] ?? '', ...endpoints.filter((_, i) => i !== victim)];
  const etcd = await client('/fault-follower/', ordered);
  const leadership = await etcd.campaign('me');
  await leadership.write([{ type: 'put', key: 'n', value: 0 }]);

  await cluster.kill(victim);
  // Longer than the lease TTL: the renewals must have moved to another member.
  for (let n = 1; n <= 12; n += 1) {
    await leadership.write([{ type: 'put', key: 'n', value: n }]);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  expect(leadership.signal.aborted).toBe(false);
  expect((await etcd.get('n'))?.value).toBe(12);
  await cluster.restart(victim);
  await leadership.resign();
});

test("etcd's raft leader killed: writes go on and the leader keeps leading", async () => {
  const etcd = await client('/fault-raft-leader/');
  const leadership = await etcd.campaign('me');
  const raftLeader = cluster.raftLeader();
  await cluster.kill(raftLeader);
  const started = Date.now();
  await leadership.write([{ type: 'put', key: 'n', value: 1 }]);
  expect(Date.now() - started).toBeLessThan(REQUEST_TIMEOUT_MS);
  // Past the lease TTL: renewals went through etcd's new raft leader.
  await new Promise((resolve) => setTimeout(resolve, 2500));
  expect(leadership.signal.aborted).toBe(false);
  await leadership.write([{ type: 'put', key: 'n', value: 2 }]);
  expect((await etcd.get('n'))?.value).toBe(2);
  await cluster.restart(raftLeader);
  await leadership.resign();
});

test('two of three members lost: writes fail with NO_QUORUM within the bound, then recover', async () => {
  const etcd = await client('/fault-quorum/');
  const leadership = await etcd.campaign('me');
  await leadership.write([{ type: 'put', key: 'n', value: 0 }]);

  const killedAt = Date.now();
  await Promise.all([cluster.kill(0), cluster.kill(1)]);
  const fenced = await timeFailure(leadership.write([{ type: 'put', key: 'n', value: 1 }]));
  expect(fenced.ms).toBeLessThan(REQUEST_TIMEOUT_MS + 500);
  expect(fenced.error.code).toBe(ErrorCode.EtcdNoQuorum);
  expect(fenced.error.message).toContain('start the stopped members');
  expect(fenced.error.message).toContain(cluster.endpoints()[2]);
  expect(fenced.error.message).not.toContain('\n');
  const plain = await timeFailure(etcd.put('n', 2));
  expect(plain.ms).toBeLessThan(REQUEST_TIMEOUT_MS + 500);
  expect(plain.error.code).toBe(ErrorCode.EtcdNoQuorum);

  // The leader cannot renew its lease without quorum: it counts itself deposed within the TTL.
  const lost = await leadership.lost;
  expect(lost.code).toBe(ErrorCode.NotLeader);
  expect(Date.now() - killedAt).toBeLessThan(2000 + REQUEST_TIMEOUT_MS + 1000);

  await Promise.all([cluster.restart(0), cluster.restart(1)]);
  await eventually(() => etcd.put('n', 3), 10_000);
  const again = await etcd.campaign('me again');
  await again.write([{ type: 'put', key: 'n', value: 4 }]);
  expect((await etcd.get('n'))?.value).toBe(4);
  await again.resign();
});

test('etcd stopped entirely and started again: the same client and its observer carry on', async () => {
  const etcd = await client('/fault-restart/');
  const seen: unknown[] = [];
  const stop = etcd.observe((leader) => seen.push(leader?.value ?? null));
  const leadership = await etcd.campaign('before');
  await expect.poll(() => seen.at(-1)).toBe('before');

  await cluster.stopAll();
  const down = await timeFailure(etcd.put('n', 1));
  expect(down.ms).toBeLessThan(REQUEST_TIMEOUT_MS + 500);
  expect(down.error.code).toBe(ErrorCode.EtcdUnreachable);
  expect(down.error.message).toContain('check that etcd runs at');
  expect((await leadership.lost).code).toBe(ErrorCode.NotLeader);

  await cluster.restartAll();
  await eventually(() => etcd.put('n', 2), 10_000);
  const after = await etcd.campaign('after');
  await after.write([{ type: 'put', key: 'n', value: 3 }]);
  await expect.poll(() => seen.at(-1), { timeout: 10_000 }).toBe('after');
  stop();
  await after.resign();
});

test('no etcd at any endpoint: one clear UNREACHABLE error naming them, within the bound', async () => {
  const ports = await freePorts(2);
  const endpoints = ports.map((port) => `https://127.0.0.1:${port}`);
  const { ms, error } = await timeFailure(openEtcd(options('/nowhere/', endpoints)));
  expect(ms).toBeLessThan(REQUEST_TIMEOUT_MS + 500);
  expect(error.code).toBe(ErrorCode.EtcdUnreachable);
  for (const endpoint of endpoints) expect(error.message).toContain(endpoint);
  expect(error.message).toContain('ECONNREFUSED');
});

test('a client certificate from another CA, or the wrong CA: TLS errors that name the file to fix', async () => {
  const stranger = cluster.certs.strangerClient;
  const refused = await timeFailure(
    openEtcd({ ...options('/tls/'), tls: { ca: cluster.certs.ca, ...stranger } }),
  );
  expect(refused.error.code).toBe(ErrorCode.EtcdTls);
  expect(refused.error.message).toContain("refused this client's certificate");
  expect(refused.error.message).toContain(stranger.cert);
  expect(refused.ms).toBeLessThan(1000);

  const untrusted = await timeFailure(
    openEtcd({ ...options('/tls/'), tls: { ...cluster.tls(), ca: stranger.cert } }),
  );
  expect(untrusted.error.code).toBe(ErrorCode.EtcdTls);
  expect(untrusted.error.message).toContain('server certificate');
  expect(untrusted.error.message).toContain(`etcd.tls.ca (${stranger.cert})`);
});
