import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CoordinatorClient } from '../../src/coordinator/client.js';
import { EtcdCluster } from '../helpers/etcd-cluster.js';
import {
  checkpointMembers,
  containerStatus,
  readEvents,
  type GroupFixture,
} from '../session/group-harness.js';
import { startReplicaGroup } from './support/member-group.js';
import { checkRecordedHistory } from './support/recorded-history.js';
import { ReplicaSet } from './support/replica-set.js';

let cluster: EtcdCluster;
let set: ReplicaSet;
let fixture: GroupFixture;
let client: CoordinatorClient;

beforeAll(async () => {
  cluster = await EtcdCluster.start({ heartbeatMs: 50, electionMs: 500 });
  set = await ReplicaSet.start(cluster, { prefix: '/etcd-faults/' });
  client = await set.client();
  fixture = await startReplicaGroup(set, 3);
});

afterAll(async () => {
  client?.close();
  await fixture?.cleanup();
  await set?.stop();
  await cluster?.destroy();
});

/** What a user checks after a checkpoint: every container there, running, not frozen. */
async function expectRunningThawed(): Promise<void> {
  for (const member of fixture.members) {
    expect(await containerStatus(fixture, member)).toEqual({
      status: 'running',
      freezer: 'THAWED',
    });
  }
}

/** The outcomes of the group's rounds that did not abort, oldest first. */
async function permanentRounds(): Promise<string[]> {
  const history = await client.history(fixture.group);
  return history.map((r) => r.outcome).filter((outcome) => outcome !== 'aborted');
}

async function checkpointAll() {
  return checkpointMembers(fixture, fixture.members, { leaveRunning: true });
}

describe('etcd losing members under three cohortd replicas, real containers through bin/cohort', () => {
  it('one etcd member lost (its raft leader): the service goes on, and a group checkpoint commits', async () => {
    const raftLeader = cluster.raftLeader();
    await cluster.kill(raftLeader);
    try {
      let results = await checkpointAll();
      // A cohortd leader whose 2 s lease lapsed during etcd's own election steps down; its
      // round aborts for every member, nothing frozen, and the next round has a leader.
      if (results.every((r) => r.exitCode !== 0 && r.stderr.includes('no longer the leader'))) {
        await expectRunningThawed();
        await set.waitForSteadyLeader();
        results = await checkpointAll();
      }
      expect(results.map((r) => [r.exitCode, r.stderr])).toEqual(
        fixture.members.map(() => [0, '']),
      );
      // Permanent once every member's completion is recorded, which etcd may take a moment for.
      await expect.poll(async () => permanentRounds(), { timeout: 5_000 }).toEqual(['permanent']);
      await expectRunningThawed();
    } finally {
      await cluster.restart(raftLeader);
    }
  });

  it('two etcd members lost: a checkpoint refuses to start, saying etcd lost quorum; nothing froze', async () => {
    const before = readEvents(fixture).length;
    const leader = await set.waitForLeader();
    const lost = [0, 1, 2].filter((i) => i !== cluster.raftLeader()).slice(0, 2);
    const start = set.events(leader, 'leadership-lost').length;
    for (const index of lost) await cluster.kill(index);
    try {
      // The leader cannot renew its lease: it steps down within the lease's TTL.
      await expect
        .poll(() => set.events(leader, 'leadership-lost').length, { timeout: 6_000 })
        .toBeGreaterThan(start);
      const results = await checkpointAll();
      console.log(`with etcd's quorum lost, a member says: ${results[0]?.stderr ?? ''}`);
      for (const result of results) {
        expect(result.exitCode).not.toBe(0);
        expect(result.stderr).toMatch(/no cohortd replica leads right now/);
        expect(result.stderr).toMatch(/lost quorum; start the stopped members/);
      }
      // No member's runc ran: no CRIU action, no freeze.
      expect(readEvents(fixture).slice(before)).toEqual([]);
      await expectRunningThawed();
    } finally {
      for (const index of lost) await cluster.restart(index);
    }
    // Quorum back: a leader is elected again and the group checkpoints.
    await set.waitForSteadyLeader();
    const results = await checkpointAll();
    expect(results.map((r) => [r.exitCode, r.stderr])).toEqual(results.map(() => [0, '']));
  });

  it('etcd stopped whole and started again: the replicas carry on with every recorded round', async () => {
    await cluster.stopAll();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await cluster.restartAll();
    await set.waitForSteadyLeader();
    const results = await checkpointAll();
    expect(results.map((r) => [r.exitCode, r.stderr])).toEqual(results.map(() => [0, '']));
    await expect
      .poll(async () => permanentRounds(), { timeout: 5_000 })
      .toEqual(['permanent', 'permanent', 'permanent']);
    await expectRunningThawed();
    expect((await checkRecordedHistory(set.etcd)).violations).toEqual([]);
  });
});
