import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connectCoordinator, type CoordinatorClient } from '../../../src/coordinator/client.js';
import { leaderAddresses } from '../../../src/coordinator/replica/refusal.js';
import { openEtcd, type EtcdClient } from '../../../src/etcd/index.js';
import { freePorts, type EtcdCluster } from '../../helpers/etcd-cluster.js';
import { REPO_ROOT } from '../../helpers/runc.js';

const COHORTD = join(REPO_ROOT, 'bin', 'cohortd');

/** Short stage deadlines, so that what a fault leaves open settles within a test's time. */
export const TEST_DEADLINE_FLAGS = [
  ...['--join-timeout', '5s', '--ready-timeout', '8s', '--freeze-timeout', '8s'],
  ...['--dump-timeout', '15s', '--restore-timeout', '15s', '--resume-timeout', '5s'],
  ...['--complete-timeout', '4s', '--heartbeat-timeout', '3s'],
];

export interface ReplicaOptions {
  /** This installation's etcd prefix: each test its own, as several installations would. */
  prefix: string;
  count?: number;
  /** Extra environment for one replica (fault injection), by index. */
  env?: Record<number, Record<string, string>>;
  /** Plaintext TCP listeners (a benchmark's loopback) instead of mutual TLS. */
  insecure?: boolean;
  /** Deadline flags in place of TEST_DEADLINE_FLAGS (real CRIU on two loaded cores needs more). */
  deadlines?: string[];
  /** More flags for one replica, by index. */
  args?: Record<number, string[]>;
  /** Run replica i as `prefixCommand + cohortd …` (e.g. `ip netns exec NS`), listening on `host`. */
  placement?: Record<number, { prefixCommand: string[]; host: string; etcdHost: string }>;
}

interface Replica {
  address: string;
  args: string[];
  log: string;
  /** How often its log said it started before its latest run. */
  startsBefore: number;
  child?: ChildProcess;
  exited?: Promise<void>;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/**
 * Real cohortd replicas, each its own process (bin/cohortd on dist), on one etcd cluster over
 * TLS with pairs from `cohortctl pki`, each serving mutual TLS on its own loopback port.
 */
export class ReplicaSet {
  private constructor(
    readonly cluster: EtcdCluster,
    readonly prefix: string,
    private readonly replicas: Replica[],
    readonly etcd: EtcdClient,
    /** Plaintext listeners; else mutual TLS with the PKI's cohortd pair. */
    readonly insecure: boolean,
  ) {}

  /** Starts the replicas one after another: the first becomes the leader. */
  static async start(cluster: EtcdCluster, options: ReplicaOptions): Promise<ReplicaSet> {
    const count = options.count ?? 3;
    const ports = await freePorts(count);
    const certs = cluster.certs;
    const replicas = ports.map((port, i): Replica => {
      const place = options.placement?.[i];
      const address = `${place?.host ?? '127.0.0.1'}:${port}`;
      const endpoints = cluster.endpoints(place?.etcdHost).join(',');
      const args = [
        ...['--etcd-endpoints', endpoints, '--etcd-prefix', options.prefix],
        ...[
          '--etcd-ca',
          certs.ca,
          '--etcd-cert',
          certs.client.cert,
          '--etcd-key',
          certs.client.key,
        ],
        ...['--listen', address, '--no-agent', '--log-level', 'debug'],
        ...(options.insecure === true
          ? ['--insecure']
          : [
              '--tls-ca',
              certs.ca,
              '--tls-cert',
              certs.cohortd.cert,
              '--tls-key',
              certs.cohortd.key,
            ]),
        ...(options.deadlines ?? TEST_DEADLINE_FLAGS),
        ...(options.args?.[i] ?? []),
      ];
      const log = join(cluster.dir, `cohortd-${options.prefix.replaceAll('/', '')}-${i}.log`);
      return {
        address,
        args: [...(place?.prefixCommand ?? []), COHORTD, ...args],
        log,
        startsBefore: 0,
      };
    });
    const etcd = await openEtcd({
      endpoints: cluster.endpoints(),
      tls: cluster.tls(),
      prefix: options.prefix,
    });
    const set = new ReplicaSet(cluster, options.prefix, replicas, etcd, options.insecure === true);
    for (let i = 0; i < count; i += 1) {
      set.spawn(i, options.env?.[i] ?? {});
      if (i === 0) await set.waitForLeader(0);
    }
    await Promise.all(replicas.map((_, i) => set.waitForListening(i)));
    return set;
  }

  get addresses(): string[] {
    return this.replicas.map((r) => r.address);
  }

  address(index: number): string {
    return this.replica(index).address;
  }

  /** A client of every replica, with the admin pair: it finds the leader by itself. */
  client(reconnectWindowMs = 15_000): Promise<CoordinatorClient> {
    return this.clientOf(
      this.replicas.map((_, i) => i),
      reconnectWindowMs,
    );
  }

  /** A client that knows only these replicas' addresses. */
  clientOf(indexes: readonly number[], reconnectWindowMs = 15_000): Promise<CoordinatorClient> {
    return connectCoordinator({
      address: indexes.map((i) => this.address(i)),
      ...(this.insecure
        ? { insecure: true }
        : { tls: { ca: this.cluster.certs.ca, ...this.cluster.certs.admin } }),
      connectTimeoutMs: 5_000,
      reconnectWindowMs,
    });
  }

  /** The index of the replica etcd's election names as leader, if any, and its election key. */
  async leader(): Promise<{ index: number; createRevision: number } | undefined> {
    const info = await this.etcd.leader();
    const addresses = leaderAddresses(info);
    const index = this.replicas.findIndex((r) => addresses.includes(r.address));
    return info === undefined || index < 0
      ? undefined
      : { index, createRevision: info.createRevision };
  }

  /**
   * Waits for a leader that still leads, with the same election key, a lease TTL later: one
   * elected while etcd comes back may lose its lease once as its connection is remade.
   */
  async waitForSteadyLeader(timeoutMs = 30_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await this.waitForLeader(undefined, undefined, Math.max(1, deadline - Date.now()));
      const before = await this.leader().catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      const after = await this.leader().catch(() => undefined);
      if (
        before !== undefined &&
        after?.index === before.index &&
        after.createRevision === before.createRevision &&
        this.serving(after.index, after.createRevision)
      )
        return after.index;
      if (Date.now() > deadline)
        throw new Error(`no leader kept its lease for 2.5 s within ${timeoutMs} ms`);
    }
  }

  /** Waits until a replica (`index`, or any but `not`) leads and serves: its index. */
  async waitForLeader(index?: number, not?: number, timeoutMs = 15_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const leader = await this.leader().catch(() => undefined);
      if (
        leader !== undefined &&
        (index === undefined || leader.index === index) &&
        leader.index !== not &&
        this.serving(leader.index, leader.createRevision)
      )
        return leader.index;
      if (Date.now() > deadline)
        throw new Error(`no leader (${index ?? `not ${not}`}) within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  /** The replica said it leads under this election key: it loaded its state and serves. */
  private serving(index: number, createRevision: number): boolean {
    return this.events(index, 'leader-elected').some((e) => e.createRevision === createRevision);
  }

  /** SIGKILL: the replica vanishes mid-whatever, as on a crash. */
  kill(index: number): Promise<void> {
    return this.signal(index, 'SIGKILL');
  }

  /** Sends a signal and waits until the replica has exited. */
  async signal(index: number, signal: NodeJS.Signals): Promise<void> {
    const replica = this.replica(index);
    replica.child?.kill(signal);
    await replica.exited;
  }

  async restart(index: number, env: Record<string, string> = {}): Promise<void> {
    this.spawn(index, env);
    await this.waitForListening(index);
  }

  /** The JSON log lines of a replica with this message (all runs of it, in order). */
  events(index: number, msg: string): Record<string, unknown>[] {
    let text = '';
    try {
      text = readFileSync(this.replica(index).log, 'utf8');
    } catch {
      return [];
    }
    return text
      .split('\n')
      .filter((line) => line.includes(`"msg":"${msg}"`))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.replicas.map(async (replica) => {
        replica.child?.kill('SIGKILL');
        await replica.exited;
      }),
    );
    this.etcd.close();
  }

  private replica(index: number): Replica {
    const replica = this.replicas[index];
    if (replica === undefined) throw new Error(`no replica ${index}`);
    return replica;
  }

  private spawn(index: number, env: Record<string, string>): void {
    const replica = this.replica(index);
    replica.startsBefore = this.events(index, 'replica-started').length;
    const [command = COHORTD, ...args] = replica.args;
    const log = openSync(replica.log, 'a');
    const child = spawn(command, args, {
      cwd: this.cluster.dir,
      env: { ...process.env, COHORT_NODE: process.execPath, ...env },
      stdio: ['ignore', 'ignore', log],
    });
    closeSync(log);
    live.add(child);
    replica.child = child;
    replica.exited = new Promise((resolve) =>
      child.once('exit', () => {
        live.delete(child);
        if (replica.child === child) replica.child = undefined;
        resolve();
      }),
    );
  }

  /** Until the latest run of the replica says it listens. */
  private async waitForListening(index: number): Promise<void> {
    const replica = this.replica(index);
    for (let i = 0; i < 400; i += 1) {
      if (this.events(index, 'replica-started').length > replica.startsBefore) return;
      if (replica.child === undefined) break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(
      `cohortd replica ${index} did not start: ${readFileSync(replica.log, 'utf8').slice(-2000)}`,
    );
  }
}
