import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CoordinatorClient } from '../../src/coordinator/client.js';
import { RESTART_REASON } from '../../src/coordinator/protocol/replay.js';
import { ErrorCode } from '../../src/core/errors.js';
import { EtcdCluster } from '../helpers/etcd-cluster.js';
import { joinAll, untilStage } from './support/members.js';
import { NetNamespace } from './support/netns.js';
import { checkRecordedHistory } from './support/recorded-history.js';
import { ReplicaSet } from './support/replica-set.js';

const NAMES = ['a', 'b', 'c'];
let ns: NetNamespace;
let cluster: EtcdCluster;
let set: ReplicaSet;
let clients: CoordinatorClient[] = [];

beforeAll(async () => {
  ns = NetNamespace.create();
  cluster = await EtcdCluster.start({
    heartbeatMs: 50,
    electionMs: 500,
    clientHosts: [ns.hostIp],
    sans: [ns.nsIp],
  });
  // Replica 0 runs in the namespace and starts first, so it leads. Its etcd requests get a long
  // bound: a write it sent while cut off is still waiting when the link comes back.
  set = await ReplicaSet.start(cluster, {
    prefix: '/partition/',
    placement: { 0: { prefixCommand: ns.prefix, host: ns.nsIp, etcdHost: ns.hostIp } },
    args: { 0: ['--etcd-request-timeout', '20s'] },
  });
  clients = await Promise.all(NAMES.map(() => set.client()));
});

afterAll(async () => {
  for (const client of clients) client.close();
  await set?.stop();
  await cluster?.destroy();
  ns?.destroy();
});

describe('the leader cut off from etcd, in a network namespace of its own', () => {
  it("steps down within its lease; its members get the next leader's abort; its late commit is refused", async () => {
    expect(await set.waitForLeader()).toBe(0);
    const sessions = await joinAll(clients, 'g', NAMES);
    await Promise.all(sessions.map((s) => s.arrive('ready')));
    await Promise.all(sessions.map((s) => s.arrive('frozen')));
    const [a, b, c] = sessions;
    const votes = [a, b].map((s) => s?.vote(true));
    await untilStage(clients[0] as CoordinatorClient, 'g', 'voted', 2);

    // Its members still reach it; etcd does not. The last vote makes it write the commit.
    const t0 = Date.now();
    ns.dropTo(cluster.endpoints().map((url) => Number(new URL(url).port)));
    const last = c?.vote(true);
    // It counts its lease lost and stops serving: its members' streams end.
    await expect.poll(() => set.events(0, 'leadership-lost').length, { timeout: 5_000 }).toBe(1);
    const steppedDownMs = Date.now() - t0;
    const next = await set.waitForLeader(undefined, 0);
    const servingMs = Date.now() - t0;
    // The link comes back while its commit is still on the way: etcd refuses it (fenced).
    ns.restore();
    const decisions = await Promise.all([...votes, last]);
    const answeredMs = Date.now() - t0;
    console.log(
      `cut off at 0: stepped down at ${steppedDownMs} ms, replica ${next} serving at ${servingMs} ms, members answered at ${answeredMs} ms`,
    );
    expect(decisions.map((d) => [d?.commit, d?.reason])).toEqual(
      NAMES.map(() => [false, RESTART_REASON]),
    );
    expect(steppedDownMs).toBeLessThan(3_000);
    expect(answeredMs).toBeLessThan(5_000);
    await expect
      .poll(() => set.events(0, 'etcd-write-failed').map((e) => [e.record, e.code]), {
        timeout: 15_000,
      })
      .toContainEqual(['round-decided', ErrorCode.NotLeader]);
    const report = await checkRecordedHistory(set.etcd);
    expect(report.violations).toEqual([]);
    expect(report.decisions).toEqual([
      { group: 'g', epoch: 1, commit: false, reason: RESTART_REASON },
    ]);
  });

  it('back on the network, the deposed replica follows: it sends clients to the new leader', async () => {
    const leader = await set.waitForLeader(undefined, 0);
    const history = await clients[0]?.history('g');
    expect(history?.map((r) => r.outcome)).toEqual(['aborted']);
    // A client that knows only the namespace's replica is sent on to the leader.
    const only = await set.clientOf([0]);
    try {
      expect((await only.history('g')).length).toBe(1);
      expect(only.address).toBe(set.address(leader));
    } finally {
      only.close();
    }
  });
});
