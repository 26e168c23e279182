import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CoordinatorClient } from '../../src/coordinator/client.js';
import { EtcdCluster } from '../helpers/etcd-cluster.js';
import { containerStatus, readEvents, type GroupFixture } from '../session/group-harness.js';
import { killAfterVote } from './support/kill-after-vote.js';
import { startReplicaGroup } from './support/member-group.js';
import { checkRecordedHistory } from './support/recorded-history.js';
import { ReplicaSet } from './support/replica-set.js';

let cluster: EtcdCluster;
let set: ReplicaSet;
let client: CoordinatorClient;
let fixture: GroupFixture;

beforeAll(async () => {
  cluster = await EtcdCluster.start({ heartbeatMs: 50, electionMs: 500 });
  set = await ReplicaSet.start(cluster, { prefix: '/voted/' });
  client = await set.client();
  // The members' reconnect window is the default 15 s: the answer must come well inside it.
  fixture = await startReplicaGroup(set, 2, 15_000);
});

afterAll(async () => {
  client?.close();
  await fixture?.cleanup();
  await set?.stop();
  await cluster?.destroy();
});

describe('a member frozen after its vote when the leader dies', () => {
  it("is thawed by the next leader's abort within 3 s, not at the end of its 15 s window", async () => {
    const leader = await set.waitForLeader();
    const { extraFrozenMs, results } = await killAfterVote(fixture, client, () => set.kill(leader));
    console.log(`m0 stayed frozen ${extraFrozenMs} ms after the leader died`);
    expect(extraFrozenMs).toBeLessThan(3_000);
    for (const result of results) {
      expect(result.exitCode).not.toBe(0);
      expect(result.stderr).toMatch(
        /coordinator restarted before a decision|lost the coordinator stream/,
      );
    }
    // m0 got the abort as its post-dump answer, so the fake CRIU thawed it; m1 aborted too.
    const answers = readEvents(fixture).filter((e) => e.event === 'post-dump');
    expect(answers.map((e) => e.code)).toEqual([1, 1]);
    for (const member of fixture.members) {
      expect(await containerStatus(fixture, member)).toEqual({
        status: 'running',
        freezer: 'THAWED',
      });
    }
    expect((await checkRecordedHistory(set.etcd)).violations).toEqual([]);
    expect((await client.history(fixture.group)).map((r) => r.outcome)).toEqual(['aborted']);
  });
});
