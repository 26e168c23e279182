import * as grpc from '@grpc/grpc-js';
import { spawn } from 'node:child_process';
import { mkdirSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectCoordinator, type CoordinatorClient } from '../../src/coordinator/client.js';
import { channelFor } from '../../src/coordinator/client/channel.js';
import { callUnary } from '../../src/coordinator/client/unary.js';
import { ErrorCode, type CohortError } from '../../src/core/errors.js';
import { CoordinatorService } from '../../src/gen/cohort/v1/coordinator.js';
import { EtcdCluster } from '../helpers/etcd-cluster.js';
import { run } from '../helpers/run.js';
import { REPO_ROOT } from '../helpers/runc.js';
import { joinAll, settled, untilStage, wholeRound } from './support/members.js';
import { checkRecordedHistory } from './support/recorded-history.js';
import { ReplicaSet } from './support/replica-set.js';

const COHORTCTL = join(REPO_ROOT, 'bin', 'cohortctl');
const COHORTD = join(REPO_ROOT, 'bin', 'cohortd');
let cluster: EtcdCluster;
let set: ReplicaSet;
let client: CoordinatorClient;

beforeAll(async () => {
  cluster = await EtcdCluster.start({ heartbeatMs: 50, electionMs: 500 });
  set = await ReplicaSet.start(cluster, { prefix: '/leadership/' });
  client = await set.client();
});

afterAll(async () => {
  client?.close();
  await set?.stop();
  await cluster?.destroy();
});

/** A unary call on exactly one replica, as any gRPC client would make it: no leader finding. */
async function callOne(address: string): Promise<CohortError | undefined> {
  const tls = { ca: cluster.certs.ca, ...cluster.certs.admin };
  const { credentials, options } = channelFor(address, tls, false);
  const raw = new grpc.Client(`dns:${address}`, credentials, options);
  try {
    await callUnary(raw, address, CoordinatorService.status, { group: '' }, { timeoutMs: 5_000 });
    return undefined;
  } catch (error) {
    return error as CohortError;
  } finally {
    raw.close();
  }
}

describe('three cohortd replicas on a three-member etcd over TLS', () => {
  it('one leads; a follower refuses with the leader address, and a client sent to it goes there', async () => {
    const leader = await set.waitForLeader();
    const followers = [0, 1, 2].filter((i) => i !== leader);
    expect(await callOne(set.address(leader))).toBeUndefined();
    for (const follower of followers) {
      const refusal = await callOne(set.address(follower));
      expect(refusal?.code).toBe(ErrorCode.NotLeader);
      expect(refusal?.details.leader).toBe(set.address(leader));
      expect(refusal?.message).toContain(`the leader is at ${set.address(leader)}`);
    }
    // A client given only a follower's address still reaches the leader.
    const viaFollower = await connectCoordinator({
      address: set.address(followers[0] ?? 0),
      tls: { ca: cluster.certs.ca, ...cluster.certs.admin },
      connectTimeoutMs: 5_000,
    });
    try {
      await viaFollower.applyGroup({ name: 'web', members: ['a', 'b'] });
      expect(viaFollower.address).toBe(set.address(leader));
    } finally {
      viaFollower.close();
    }
    expect((await client.listGroups()).map((g) => g.name)).toContain('web');
  });

  it('cohortctl takes --coordinator repeated, or a list in its config, and finds the leader', async () => {
    const tls = { ca: cluster.certs.ca, ...cluster.certs.admin };
    const listed = join(cluster.dir, 'cohortctl-list.json');
    writeFileSync(listed, JSON.stringify({ coordinator: { address: set.addresses, tls } }));
    const bare = join(cluster.dir, 'cohortctl-tls.json');
    writeFileSync(bare, JSON.stringify({ coordinator: { tls } }));
    const flags = set.addresses.flatMap((address) => ['--coordinator', address]);
    for (const argv of [
      ['--config', listed, 'group', 'list'],
      ['--config', bare, ...flags, 'group', 'list'],
    ]) {
      const result = await run(COHORTCTL, argv);
      expect(result.stderr).toBe('');
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toContain('web');
    }
  });

  it('SIGTERM to the leader: its open round is aborted and recorded, the next leads at once', async () => {
    const old = await set.waitForLeader();
    const [a, b] = await joinAll([client], 'term', ['a', 'b']);
    if (a === undefined || b === undefined) throw new Error('no sessions');
    // a waits at the ready barrier for b, which never comes.
    const ready = settled(a.arrive('ready'));
    await untilStage(client, 'term', 'ready', 1);
    const t0 = Date.now();
    await set.signal(old, 'SIGTERM');
    expect(await ready).toMatch(/aborted: .*coordinator shutting down/);
    expect(b.outcome).toMatchObject({ commit: false, reason: 'coordinator shutting down' });
    const next = await set.waitForLeader(undefined, old);
    // Resigning frees the election key: no lease has to run out.
    expect(Date.now() - t0).toBeLessThan(1_500);
    const history = await client.history('term');
    expect(history.at(-1)).toMatchObject({
      outcome: 'aborted',
      reason: 'coordinator shutting down',
    });
    expect(next).not.toBe(old);
    await set.restart(old);
  });

  it('SIGKILL to the leader: another serves within 3 s, with every recorded round', async () => {
    const names = ['a', 'b', 'c'];
    expect(await wholeRound(await joinAll([client], 'kill', names))).toEqual([true, true, true]);
    const old = await set.waitForLeader();
    const t0 = Date.now();
    await set.kill(old);
    const next = await set.waitForLeader(undefined, old);
    const failoverMs = Date.now() - t0;
    console.log(`leader SIGKILLed: replica ${next} serves after ${failoverMs} ms`);
    expect(failoverMs).toBeLessThan(3_000);
    expect((await client.history('kill')).map((r) => r.outcome)).toEqual(['permanent']);
    // The next round goes on at the new leader, at the next epoch.
    expect(await wholeRound(await joinAll([client], 'kill', names))).toEqual([true, true, true]);
    expect((await client.history('kill')).map((r) => [r.epoch, r.outcome])).toEqual([
      [1, 'permanent'],
      [2, 'permanent'],
    ]);
    expect(client.address).toBe(set.address(next));
    await set.restart(old);
    expect(await set.leader()).toMatchObject({ index: next });
  });

  it('a node agent given every replica links to the leader, and to the next one after a kill', async () => {
    const { certs } = cluster;
    const workDir = join(cluster.dir, 'agent-work');
    const runcRoot = join(cluster.dir, 'agent-runc-root');
    mkdirSync(runcRoot, { recursive: true });
    const agent = spawn(
      COHORTD,
      [
        ...['agent', '--node', 'agent-1', '--engine', 'runc', '--runc-root', runcRoot],
        ...['--work-dir', workDir, '--tls-ca', certs.ca],
        ...['--tls-cert', certs.node.cert, '--tls-key', certs.node.key, '--log-level', 'warn'],
        ...set.addresses.flatMap((address) => ['--coordinator', address]),
      ],
      { stdio: ['ignore', 'ignore', openSync(join(cluster.dir, 'agent.log'), 'a')] },
    );
    const linked = async () =>
      (await client.groups.nodes().catch(() => ({ nodes: [] }))).nodes.map((n) => [
        n.name,
        n.connected,
      ]);
    try {
      await expect.poll(linked, { timeout: 10_000 }).toEqual([['agent-1', true]]);
      const old = await set.waitForLeader();
      await set.kill(old);
      await set.waitForLeader(undefined, old);
      // The new leader starts with no agents; this one finds it by itself.
      await expect.poll(linked, { timeout: 10_000 }).toEqual([['agent-1', true]]);
      await set.restart(old);
      // It kept trying meanwhile: it never exited.
      expect(agent.exitCode).toBeNull();
    } finally {
      agent.kill('SIGKILL');
    }
  });

  it('a second installation on the same etcd, with its own prefix, leads and sees only its own', async () => {
    const before = await set.leader();
    const other = await ReplicaSet.start(cluster, { prefix: '/another-team/', count: 1 });
    const otherClient = await other.client();
    try {
      await otherClient.applyGroup({ name: 'theirs', size: 1 });
      expect((await otherClient.listGroups()).map((g) => g.name)).toEqual(['theirs']);
      expect((await client.listGroups()).map((g) => g.name)).not.toContain('theirs');
      expect(await set.leader()).toEqual(before);
    } finally {
      otherClient.close();
      await other.stop();
    }
  });

  it('a replica whose etcd client certificate etcd does not trust stops at start, saying so', async () => {
    const { certs } = cluster;
    const result = await run(COHORTD, [
      ...['--etcd-endpoints', cluster.endpoints().join(','), '--etcd-ca', certs.ca],
      ...['--etcd-cert', certs.strangerClient.cert, '--etcd-key', certs.strangerClient.key],
      ...['--no-agent', '--listen', '127.0.0.1:0', '--insecure', '--log-level', 'error'],
    ]);
    expect(result.exitCode).toBe(1);
    const failure = JSON.parse(result.stderr.trim().split('\n').at(-1) ?? '{}') as Record<
      string,
      string
    >;
    expect(failure).toMatchObject({ msg: 'start-failed', code: 'COHORT_ERR_ETCD_TLS' });
    expect(failure.message).toMatch(/refused this client's certificate/);
  });

  it('recorded a history the invariant checker accepts, with one key per thing', async () => {
    const report = await checkRecordedHistory(set.etcd);
    expect(report.violations).toEqual([]);
    expect(report.rounds).toBe(3);
    const { records } = await set.etcd.load('');
    // Two rounds of three records, an aborted round of two, one manifest: no log to replay.
    expect(records.map((r) => r.key.replace(/\/\d{12}\//, '/E/')).sort()).toEqual([
      'groups/web',
      'rounds/kill/E/closed',
      'rounds/kill/E/closed',
      'rounds/kill/E/decided',
      'rounds/kill/E/decided',
      'rounds/kill/E/opened',
      'rounds/kill/E/opened',
      'rounds/term/E/decided',
      'rounds/term/E/opened',
    ]);
  });
});
