import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeEtcdCerts, type EtcdCerts } from './etcd-certs.js';

/** Free loopback ports, all held open together so none is handed out twice. */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  const ports: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port bound');
    servers.push(server);
    ports.push(address.port);
  }
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

export interface EtcdClusterOptions {
  members?: number;
  /** etcd's raft timers; the defaults are etcd's own (100 ms, 1000 ms). */
  heartbeatMs?: number;
  electionMs?: number;
  /**
   * More IPs each member serves clients on (same port), e.g. the host's end of a test's veth,
   * so that a process in a network namespace reaches etcd; their certificates name them.
   */
  clientHosts?: string[];
  /** More names for the PKI's server certificates (cohortd's, when a replica listens elsewhere). */
  sans?: string[];
}

interface Member {
  name: string;
  clientPort: number;
  peerPort: number;
  args: string[];
  child?: ChildProcess;
  exited?: Promise<void>;
}

const live = new Set<ChildProcess>();
// A test run that dies must not leave etcd members behind.
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/**
 * An etcd cluster of separate processes on 127.0.0.1 with TLS for clients and peers, each member
 * with its own data dir; members can be killed, stopped and restarted.
 */
export class EtcdCluster {
  private constructor(
    readonly dir: string,
    readonly certs: EtcdCerts,
    private readonly members: Member[],
  ) {}

  static async start(options: EtcdClusterOptions = {}): Promise<EtcdCluster> {
    const dir = mkdtempSync(join(tmpdir(), 'cohort-etcd-'));
    const count = options.members ?? 3;
    const names = Array.from({ length: count }, (_, i) => `m${i}`);
    const hosts = options.clientHosts ?? [];
    const certs = makeEtcdCerts(dir, names, [...hosts, ...(options.sans ?? [])]);
    const ports = await freePorts(count * 2);
    const peerUrl = (i: number): string => `https://127.0.0.1:${ports[count + i]}`;
    const initial = names.map((name, i) => `${name}=${peerUrl(i)}`).join(',');
    const token = randomBytes(6).toString('hex');
    const members = names.map((name, i): Member => {
      const clientUrl = `https://127.0.0.1:${ports[i]}`;
      const listenUrls = [clientUrl, ...hosts.map((host) => `https://${host}:${ports[i]}`)];
      const pair = certs.members[name];
      if (pair === undefined) throw new Error(`no certificate for etcd member ${name}`);
      const args = [
        ...['--name', name, '--data-dir', join(dir, name)],
        ...['--listen-client-urls', listenUrls.join(','), '--advertise-client-urls', clientUrl],
        ...['--listen-peer-urls', peerUrl(i), '--initial-advertise-peer-urls', peerUrl(i)],
        ...['--initial-cluster', initial, '--initial-cluster-state', 'new'],
        ...['--initial-cluster-token', token],
        ...['--client-cert-auth', '--trusted-ca-file', certs.ca],
        ...['--cert-file', pair.cert, '--key-file', pair.key],
        ...['--peer-client-cert-auth', '--peer-trusted-ca-file', certs.ca],
        ...['--peer-cert-file', pair.cert, '--peer-key-file', pair.key],
        ...['--heartbeat-interval', String(options.heartbeatMs ?? 100)],
        ...['--election-timeout', String(options.electionMs ?? 1000)],
        ...['--logger', 'zap', '--log-outputs', 'stderr', '--log-level', 'warn'],
      ];
      return { name, clientPort: ports[i] ?? 0, peerPort: ports[count + i] ?? 0, args };
    });
    const cluster = new EtcdCluster(dir, certs, members);
    for (let i = 0; i < count; i += 1) cluster.spawnMember(i);
    await cluster.waitHealthy();
    return cluster;
  }

  get size(): number {
    return this.members.length;
  }

  /** Client URLs, one per member, in member order (on `host`, one of `clientHosts`, if given). */
  endpoints(host = '127.0.0.1'): string[] {
    return this.members.map((m) => `https://${host}:${m.clientPort}`);
  }

  /** TLS file paths for a client the cluster trusts. */
  tls(): { ca: string; cert: string; key: string } {
    return { ca: this.certs.ca, ...this.certs.client };
  }

  isRunning(index: number): boolean {
    return this.member(index).child !== undefined;
  }

  /** SIGKILL: the member vanishes mid-whatever, as on a crash. */
  async kill(index: number): Promise<void> {
    await this.signal(index, 'SIGKILL');
  }

  /** SIGTERM and wait: a clean shutdown. */
  async stop(index: number): Promise<void> {
    await this.signal(index, 'SIGTERM');
  }

  /** Starts a stopped member again on its data dir and waits until it serves. */
  async restart(index: number): Promise<void> {
    if (this.isRunning(index)) throw new Error(`member ${index} is still running`);
    this.spawnMember(index);
    await this.waitHealthy([index]);
  }

  /** One member after another: stopped all at once, each waits ~7 s on peers that are leaving too. */
  async stopAll(): Promise<void> {
    for (let i = this.members.length - 1; i >= 0; i -= 1) await this.signal(i, 'SIGTERM');
  }

  async restartAll(): Promise<void> {
    this.members.forEach((m, i) => {
      if (m.child === undefined) this.spawnMember(i);
    });
    await this.waitHealthy();
  }

  /** Waits until each named member (all running ones by default) answers /health with true. */
  async waitHealthy(indexes?: number[], timeoutMs = 20_000): Promise<void> {
    const wanted = indexes ?? this.members.flatMap((m, i) => (m.child === undefined ? [] : [i]));
    const deadline = Date.now() + timeoutMs;
    for (const index of wanted) {
      while (!(await this.healthy(index))) {
        if (Date.now() > deadline) {
          throw new Error(
            `etcd member ${index} not healthy after ${timeoutMs} ms:\n${this.log(index)}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  /** The tail of a member's stderr, for failure messages. */
  log(index: number): string {
    const text = readFileSync(this.logPath(index), 'utf8');
    return text.split('\n').slice(-15).join('\n');
  }

  /** Runs etcdctl against the running members with the trusted client certificate. */
  ctl(args: readonly string[]): string {
    const endpoints = this.endpoints().filter((_, i) => this.isRunning(i));
    const { ca, cert, key } = this.tls();
    return execFileSync(
      'etcdctl',
      ['--endpoints', endpoints.join(','), '--cacert', ca, '--cert', cert, '--key', key, ...args],
      { encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ETCDCTL_API: '3' } },
    );
  }

  /** The index of the member that is etcd's raft leader now. */
  raftLeader(): number {
    const statuses = JSON.parse(this.ctl(['endpoint', 'status', '-w', 'json'])) as {
      Endpoint: string;
      Status: { header: { member_id: number }; leader: number };
    }[];
    const leading = statuses.find((s) => s.Status.header.member_id === s.Status.leader);
    const index = this.endpoints().indexOf(leading?.Endpoint ?? '');
    if (index < 0) throw new Error(`no etcd raft leader among ${JSON.stringify(statuses)}`);
    return index;
  }

  /** Kills every member and removes every file the cluster made. */
  async destroy(): Promise<void> {
    await Promise.all(this.members.map((_, i) => this.signal(i, 'SIGKILL')));
    rmSync(this.dir, { recursive: true, force: true });
  }

  private member(index: number): Member {
    const member = this.members[index];
    if (member === undefined) throw new Error(`no etcd member ${index}`);
    return member;
  }

  private logPath(index: number): string {
    return join(this.dir, `${this.member(index).name}.log`);
  }

  private spawnMember(index: number): void {
    const member = this.member(index);
    const log = openSync(this.logPath(index), 'a');
    // A clean environment: no ETCD_* variable from the machine may change the member's flags.
    const child = spawn('etcd', member.args, {
      stdio: ['ignore', log, log],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    });
    closeSync(log);
    live.add(child);
    member.child = child;
    member.exited = new Promise((resolve) => {
      child.once('exit', () => {
        live.delete(child);
        if (member.child === child) member.child = undefined;
        resolve();
      });
    });
  }

  private async signal(index: number, signal: NodeJS.Signals): Promise<void> {
    const member = this.member(index);
    if (member.child === undefined) return;
    member.child.kill(signal);
    await member.exited;
  }

  private healthy(index: number): Promise<boolean> {
    const member = this.member(index);
    const { ca, cert, key } = this.tls();
    return new Promise((resolve) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: member.clientPort,
          path: '/health',
          ca: readFileSync(ca),
          cert: readFileSync(cert),
          key: readFileSync(key),
          timeout: 1000,
        },
        (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve(res.statusCode === 200 && body.includes('"true"')));
        },
      );
      req.on('error', () => resolve(false));
      req.on('timeout', () => req.destroy());
      req.end();
    });
  }
}
