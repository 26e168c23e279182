import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { run, runOk, type RunOptions, type RunResult } from './run.js';

const IP = '/usr/sbin/ip';
const NSENTER = '/usr/bin/nsenter';
/** The private range the test networks take a /24 from: 10.231.X.0/24, X free on this host. */
const RANGE = { first: 10, second: 231 };
const HOST_OCTET = 1;
const FIRST_NODE_OCTET = 11;

/** One test node: a network namespace with a veth into the test bridge and its own address. */
export interface NodeNet {
  /** The node's name in the tests (n1, n2, …). */
  node: string;
  /** `ip netns` name; /run/netns/<ns> is its handle. */
  ns: string;
  address: string;
  /** The host end of its veth, on the bridge: down = the node is cut off. */
  hostVeth: string;
}

export interface TestNetwork {
  bridge: string;
  /** The host's address on the bridge: what the nodes reach the coordinator at. */
  hostAddress: string;
  subnet: string;
  nodes: NodeNet[];
  /**
   * The argv prefix that runs a program in a node's network namespace and nothing else: unlike
   * `ip netns exec` it keeps the mount namespace, so podman's mounts stay visible to every caller.
   */
  prefix(node: string): string[];
  /** Runs a command in a node's network namespace. */
  exec(
    node: string,
    cmd: string,
    args: readonly string[],
    options?: RunOptions,
  ): Promise<RunResult>;
  /** Takes the node's link down (nothing reaches it, nothing leaves it), or brings it back. */
  cut(node: string): Promise<void>;
  restore(node: string): Promise<void>;
  /** Removes the namespaces, the veths and the bridge; safe to call twice. */
  cleanup(): Promise<void>;
}

/** Why network namespaces cannot be made here, or undefined when they can. */
export function netnsMissing(): string | undefined {
  if (process.getuid?.() !== 0) return 'network namespaces need root';
  if (!existsSync(IP)) return `${IP} is not installed (iproute2)`;
  if (!existsSync(NSENTER)) return `${NSENTER} is not installed (util-linux)`;
  return undefined;
}

let made = 0;
const live = new Set<TestNetwork>();

/**
 * `count` nodes, each a network namespace with lo up and a veth pair into a bridge of its own
 * on the host, in a private /24 no interface or route of the host uses. Nothing is attached to
 * the host's own interfaces: no traffic leaves the machine. What a crashed earlier run left
 * (its process gone) is removed first.
 */
export async function createTestNetwork(count: number): Promise<TestNetwork> {
  await removeStale();
  made += 1;
  const tag = `${process.pid.toString(36)}-${made}`;
  const third = freeThirdOctet();
  const prefix24 = `${RANGE.first}.${RANGE.second}.${third}`;
  const bridge = `cnb-${tag}`;
  const nodes: NodeNet[] = Array.from({ length: count }, (_, i) => ({
    node: `n${i + 1}`,
    ns: `cohort-${tag}-n${i + 1}`,
    address: `${prefix24}.${FIRST_NODE_OCTET + i}`,
    hostVeth: `cnh-${tag}n${i + 1}`,
  }));
  const network: TestNetwork = {
    bridge,
    hostAddress: `${prefix24}.${HOST_OCTET}`,
    subnet: `${prefix24}.0/24`,
    nodes,
    prefix: (node) => [NSENTER, `--net=/run/netns/${nodeNet(nodes, node).ns}`, '--'],
    exec: (node, cmd, args, options) =>
      run(NSENTER, [`--net=/run/netns/${nodeNet(nodes, node).ns}`, '--', cmd, ...args], options),
    cut: async (node) => void (await ip('link', 'set', nodeNet(nodes, node).hostVeth, 'down')),
    restore: async (node) => void (await ip('link', 'set', nodeNet(nodes, node).hostVeth, 'up')),
    cleanup: async () => {
      live.delete(network);
      await removeNetwork(bridge, nodes);
    },
  };
  live.add(network);
  try {
    await ip('link', 'add', bridge, 'type', 'bridge');
    await ip('addr', 'add', `${network.hostAddress}/24`, 'dev', bridge);
    await ip('link', 'set', bridge, 'up');
    for (const [i, n] of nodes.entries()) {
      const peer = `cnp-${tag}n${i + 1}`;
      await ip('netns', 'add', n.ns);
      await ip('link', 'add', n.hostVeth, 'type', 'veth', 'peer', 'name', peer);
      await ip('link', 'set', peer, 'netns', n.ns);
      await ip('-n', n.ns, 'link', 'set', peer, 'name', 'eth0');
      await ip('-n', n.ns, 'addr', 'add', `${n.address}/24`, 'dev', 'eth0');
      await ip('-n', n.ns, 'link', 'set', 'eth0', 'up');
      await ip('-n', n.ns, 'link', 'set', 'lo', 'up');
      await ip('link', 'set', n.hostVeth, 'master', bridge);
      await ip('link', 'set', n.hostVeth, 'up');
    }
  } catch (error) {
    await network.cleanup();
    throw error;
  }
  return network;
}

// A test process that dies by a signal vitest sends still removes what it made.
process.once('exit', () => {
  for (const network of live) removeNetworkSync(network.bridge, network.nodes);
});

function nodeNet(nodes: readonly NodeNet[], node: string): NodeNet {
  const found = nodes.find((n) => n.node === node || n.ns === node);
  if (found === undefined)
    throw new Error(`no test node ${node}; have ${nodes.map((n) => n.node).join(', ')}`);
  return found;
}

async function ip(...args: string[]): Promise<RunResult> {
  return runOk(IP, args, { timeoutMs: 10_000 });
}

/** The first X (from a per-process start) with no host address or route inside 10.231.X.0/24. */
function freeThirdOctet(): number {
  const used =
    execFileSync(IP, ['-4', '-o', 'addr'], { encoding: 'utf8' }) +
    execFileSync(IP, ['-4', 'route', 'show', 'table', 'all'], { encoding: 'utf8' });
  const taken = new Set<number>();
  const pattern = new RegExp(`\\b${RANGE.first}\\.${RANGE.second}\\.(\\d+)\\.`, 'g');
  for (const match of used.matchAll(pattern)) taken.add(Number(match[1]));
  // A route to all of 10/8 or 10.231/16 would swallow every /24: refuse rather than collide.
  if (/\b10\.0\.0\.0\/8\b|\b10\.231\.0\.0\/16\b/.test(used))
    throw new Error(
      `the host routes ${RANGE.first}.${RANGE.second}.0.0/16 already; the test network would collide`,
    );
  const start = (process.pid + made * 7) % 250;
  for (let k = 0; k < 250; k += 1) {
    const third = ((start + k) % 250) + 1;
    if (!taken.has(third)) return third;
  }
  throw new Error(`every 10.231.X.0/24 is in use on this host`);
}

async function removeNetwork(bridge: string, nodes: readonly NodeNet[]): Promise<void> {
  for (const n of nodes) {
    await run(IP, ['link', 'del', n.hostVeth]);
    await run(IP, ['netns', 'del', n.ns]);
  }
  await run(IP, ['link', 'del', bridge]);
}

function removeNetworkSync(bridge: string, nodes: readonly NodeNet[]): void {
  const quiet = (args: string[]) => {
    try {
      execFileSync(IP, args, { stdio: 'ignore' });
    } catch {
      // Already gone.
    }
  };
  for (const n of nodes) {
    quiet(['link', 'del', n.hostVeth]);
    quiet(['netns', 'del', n.ns]);
  }
  quiet(['link', 'del', bridge]);
}

/** Namespaces and links named by a test process that no longer runs. */
async function removeStale(): Promise<void> {
  const alive = (pid36: string) => existsSync(`/proc/${parseInt(pid36, 36)}`);
  const namespaces = (await run(IP, ['netns', 'list'])).stdout;
  for (const match of namespaces.matchAll(/^cohort-([0-9a-z]+)-\d+-n\d+/gm)) {
    if (!alive(match[1] ?? '')) await run(IP, ['netns', 'del', match[0]]);
  }
  const links = (await run(IP, ['-o', 'link'])).stdout;
  for (const match of links.matchAll(/^\d+: (cn[bhp]-([0-9a-z]+)-[0-9a-z]+)[:@]/gm)) {
    if (!alive(match[2] ?? '')) await run(IP, ['link', 'del', match[1] ?? '']);
  }
}
