import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CoordinatorClient } from '../../src/coordinator/client.js';
import { isUnbroken } from '../../src/demo/sequence.js';
import { EtcdCluster } from '../helpers/etcd-cluster.js';
import { realCriuTier } from '../criu/support/criu-tier.js';
import {
  checkpointAll,
  counterLog,
  memberStatus,
  restoreAll,
  startRealGroup,
  waitForCount,
  type RealGroup,
} from '../criu/support/runc-group.js';
import { checkRecordedHistory } from './support/recorded-history.js';
import { ReplicaSet } from './support/replica-set.js';

const tier = await realCriuTier('the real-CRIU group through cohortd replicas');

describe.skipIf(tier.skip !== undefined)('a real CRIU group through three cohortd replicas', () => {
  const criu = tier.skip === undefined ? tier.criu : '';
  let cluster: EtcdCluster;
  let set: ReplicaSet;
  let client: CoordinatorClient;
  let fixture: RealGroup | undefined;

  beforeAll(async () => {
    cluster = await EtcdCluster.start({ heartbeatMs: 50, electionMs: 500 });
    set = await ReplicaSet.start(cluster, {
      prefix: '/criu/',
      deadlines: ['--join-timeout', '20s', '--ready-timeout', '20s', '--dump-timeout', '40s'],
    });
    client = await set.client();
  });

  afterEach(async () => {
    await fixture?.cleanup();
    fixture = undefined;
  });

  afterAll(async () => {
    client?.close();
    await set?.stop();
    await cluster?.destroy();
  });

  /** Containers counting, started through bin/cohort, whose sessions know every replica. */
  async function startGroup(): Promise<RealGroup> {
    fixture = await startRealGroup({ socket: '/nonexistent/cohortd.sock', criu, size: 2 });
    const path = fixture.sandbox.configPath;
    const config = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    const { certs } = cluster;
    config.coordinator = {
      address: set.addresses,
      tls: { ca: certs.ca, ...certs.admin },
      connectTimeoutMs: 5_000,
    };
    writeFileSync(path, JSON.stringify(config, null, 2) + '\n');
    return fixture;
  }

  async function expectRunningThawed(group: RealGroup): Promise<void> {
    for (const member of group.members) {
      expect(await memberStatus(group, member), member.name).toEqual({
        status: 'running',
        freezer: 'THAWED',
      });
      const now = counterLog(member).last ?? 0;
      await waitForCount(member, now + 2);
      expect(isUnbroken(counterLog(member)), member.name).toBe(true);
    }
  }

  it('the leader SIGKILLed mid-dump: one outcome for both, no container left frozen', async () => {
    const group = await startGroup();
    const leader = await set.waitForLeader();
    const dumping = checkpointAll(group, group.members, { label: 'ck', leaveRunning: true });
    // Kill the leader as soon as a member is frozen (network-lock) or has voted (post-dump).
    let stage = 'none';
    for (let i = 0; i < 3_000 && stage === 'none'; i += 1) {
      const round = (await client.status(group.group).catch(() => undefined))?.groups[0]?.openRound;
      const reached = round?.members.find((m) => m.stage === 'frozen' || m.stage === 'voted');
      if (reached !== undefined) stage = `${reached.name} ${reached.stage}, round ${round?.phase}`;
      else await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const t0 = Date.now();
    await set.kill(leader);
    const results = await dumping;
    console.log(
      `real CRIU: leader killed at "${stage}"; checkpoint calls returned ${Date.now() - t0} ms later with ${JSON.stringify(results.map((r) => r.exitCode))}`,
    );
    expect(stage).not.toBe('none');
    // Both committed or both aborted, never one of each.
    expect(new Set(results.map((r) => r.exitCode === 0)).size).toBe(1);
    expect(Date.now() - t0).toBeLessThan(5_000);
    await expectRunningThawed(group);
    await set.waitForLeader(undefined, leader);
    expect((await checkRecordedHistory(set.etcd)).violations).toEqual([]);
    await set.restart(leader);
  });

  it('checkpointed at one leader, restored through the next: every counter continues', async () => {
    const group = await startGroup();
    const dumped = await checkpointAll(group, group.members, { label: 'stop' });
    for (const result of dumped) expect(result).toEqual({ exitCode: 0, errors: [] });
    const atCheckpoint = group.members.map((m) => counterLog(m).last ?? 0);
    const old = await set.waitForLeader();
    await set.kill(old);
    await set.waitForLeader(undefined, old);
    // The new leader knows the permanent checkpoint from etcd alone, and runs the restore round.
    const restored = await restoreAll(group, group.members, { label: 'stop' });
    for (const result of restored) expect(result).toEqual({ exitCode: 0, errors: [] });
    for (const [index, member] of group.members.entries()) {
      await waitForCount(member, (atCheckpoint[index] ?? 0) + 3);
      const log = counterLog(member);
      expect([log.gaps, log.repeats], member.name).toEqual([[], []]);
    }
    await expectRunningThawed(group);
    const history = await client.history(group.group);
    expect(history.map((r) => [r.kind, r.outcome])).toEqual([
      ['checkpoint', 'permanent'],
      ['restore', 'permanent'],
    ]);
    await set.restart(old);
  });
});
