import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cohortctl, type CliResult } from '../../cli/support/run-cli.js';
import { unmountUnder } from '../../helpers/mounts.js';
import { createTestNetwork, type NodeNet, type TestNetwork } from '../../helpers/netns.js';
import { spawnDaemon, type DaemonProcess } from './daemon.js';
import { createNodePodman, type NodePodman } from './node-podman.js';
import { CLUSTER_PREFIX, sweepStaleClusters } from './sweep.js';

export interface ClusterOptions {
  nodes: number;
  /** CRIU's directory, first in every PATH (the tier's usable CRIU). */
  criuDir: string;
  /** cohortd --agent-loss-timeout. */
  agentLoss?: string;
  /** More cohortd flags. */
  cohortdArgs?: readonly string[];
}

/** One node of the cluster: its namespace, its podman, and its agent (a process in the namespace). */
export interface ClusterNode {
  name: string;
  net: NodeNet;
  podman: NodePodman;
  agent: DaemonProcess | undefined;
  /** Starts the node's agent in its namespace; `as` / `pair` fake another node's name or pair. */
  startAgent(options?: { as?: string; pair?: string; log?: string }): Promise<DaemonProcess>;
}

export interface Cluster {
  dir: string;
  network: TestNetwork;
  /** PKI made by cohortctl pki init: ca, cohortd, admin, node-nK pairs. */
  pki: string;
  cohortd: DaemonProcess;
  /** cohortd's TCP address on the bridge (mutual TLS), and its /metrics address. */
  address: string;
  metrics: string;
  nodes: ClusterNode[];
  node(name: string): ClusterNode;
  /** cohortctl with the admin pair, over TCP. */
  ctl(argv: readonly string[]): Promise<CliResult>;
  ctlJson<T>(argv: readonly string[]): Promise<T>;
  /** Keeps every daemon's whole log (in the temp dir), and says where, with the end of each. */
  keepLogs(): string;
  stop(): Promise<void>;
}

/**
 * cohortd in the host's namespace on the test bridge (mutual TLS, --no-agent), and `nodes`
 * nodes, each a network namespace with its own podman storage, runc root and cohort config, and
 * its own `cohortd agent` process that reaches cohortd over the bridge with its node pair.
 */
export async function startCluster(o: ClusterOptions): Promise<Cluster> {
  await sweepStaleClusters();
  const dir = mkdtempSync(join(tmpdir(), CLUSTER_PREFIX));
  const network = await createTestNetwork(o.nodes);
  const stops: (() => Promise<void>)[] = [async () => network.cleanup()];
  const stop = async () => {
    for (const step of stops.reverse()) await step().catch(() => undefined);
    // runc's restore mounts the rootfs under its root (here): a restore cut short leaves it.
    await unmountUnder(dir);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const pki = join(dir, 'pki');
    const names = network.nodes.map((n) => n.node);
    const made = await cohortctl([
      'pki',
      'init',
      pki,
      ...names.flatMap((n) => ['--node', n]),
      '--san',
      network.hostAddress,
    ]);
    if (made.code !== 0) throw new Error(`cohortctl pki init: ${made.stderr}`);
    const pem = (stem: string) => ({
      cert: join(pki, `${stem}.crt`),
      key: join(pki, `${stem}.key`),
    });
    const ca = join(pki, 'ca.crt');
    const cohortd = spawnDaemon(
      [
        ...['--listen', `${network.hostAddress}:0`, '--metrics-listen', '127.0.0.1:0'],
        ...['--tls-ca', ca, '--tls-cert', pem('cohortd').cert, '--tls-key', pem('cohortd').key],
        ...['--state-dir', join(dir, 'cohortd'), '--no-agent'],
        ...['--agent-loss-timeout', o.agentLoss ?? '3s', '--log-level', 'debug'],
        ...(o.cohortdArgs ?? []),
      ],
      {
        env: { PATH: process.env.PATH ?? '', COHORT_NODE: process.execPath },
        logFile: join(dir, 'cohortd.log'),
      },
    );
    stops.push(() => cohortd.kill('SIGTERM'));
    const started = await cohortd.waitFor('coordinator-started');
    const address = (started.addresses as string[])[0] ?? '';
    const metrics = String(started.metrics);
    const adminConfig = join(dir, 'admin.json');
    writeFileSync(
      adminConfig,
      JSON.stringify({ coordinator: { address, tls: { ca, ...pem('admin') } } }, null, 2),
    );
    const nodes: ClusterNode[] = [];
    const agents: DaemonProcess[] = [];
    for (const net of network.nodes) {
      const work = join(dir, net.node);
      mkdirSync(work, { recursive: true });
      const podman = await createNodePodman({
        workDir: work,
        prefix: network.prefix(net.node),
        coordinator: address,
        tls: { ca, ...pem(`node-${net.node}`) },
        criuDir: o.criuDir,
      });
      stops.push(() => podman.cleanup());
      let count = 0;
      const node: ClusterNode = {
        name: net.node,
        net,
        podman,
        agent: undefined,
        async startAgent(options = {}) {
          count += 1;
          const pair = pem(`node-${options.pair ?? net.node}`);
          const agent = spawnDaemon(
            [
              ...['agent', '--node', options.as ?? net.node, '--coordinator', address],
              ...['--tls-ca', ca, '--tls-cert', pair.cert, '--tls-key', pair.key],
              ...['--work-dir', join(work, 'agent'), '--config', podman.cohortConfig],
              ...['--log-level', 'debug'],
            ],
            {
              env: podman.env,
              logFile: join(work, options.log ?? `agent-${count}.log`),
              prefix: network.prefix(net.node),
            },
          );
          stops.push(() => agent.kill('SIGKILL'));
          agents.push(agent);
          if (options.as === undefined && options.pair === undefined) node.agent = agent;
          return agent;
        },
      };
      nodes.push(node);
    }
    const ctl = (argv: readonly string[]) => cohortctl(['--config', adminConfig, ...argv]);
    return {
      dir,
      network,
      pki,
      cohortd,
      address,
      metrics,
      nodes,
      node(name) {
        const found = nodes.find((n) => n.name === name);
        if (found === undefined) throw new Error(`no node ${name}`);
        return found;
      },
      ctl,
      async ctlJson<T>(argv: readonly string[]) {
        const result = await ctl([...argv, '--json']);
        if (result.code !== 0) throw new Error(`cohortctl ${argv.join(' ')}: ${result.stderr}`);
        return JSON.parse(result.stdout) as T;
      },
      keepLogs() {
        const kept = mkdtempSync(join(tmpdir(), 'cohort-logs-nodes-'));
        for (const d of [cohortd, ...agents])
          copyFileSync(d.logFile, join(kept, d.logFile.slice(dir.length + 1).replace(/\//g, '-')));
        const tails = [cohortd, ...agents].map((d) => `--- ${d.logFile}\n${tail(d.text(), 30)}`);
        return [`whole logs kept in ${kept}`, ...tails].join('\n');
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

function tail(text: string, lines: number): string {
  return text
    .split('\n')
    .filter((line) => !line.includes('"level":"debug"'))
    .slice(-lines)
    .join('\n');
}
