import type { RunningAgent } from '../../../src/agent/agent.js';
import type { CohortPodman } from '../../cli/support/cohort-podman.js';
import { startTestCoordinator, type TestCoordinator } from '../../cli/support/coordinator.js';
import { cohortctl } from '../../cli/support/run-cli.js';
import { startPodmanNode, type PodmanNode, type PodmanNodeOptions } from './podman-node.js';

export { COUNTER } from './podman-node.js';

export interface FleetOptions extends PodmanNodeOptions {
  /** Serve /healthz and /metrics on 127.0.0.1 (coordinator.running.metricsAddress). */
  metrics?: boolean;
}

export interface OneNodeFleet {
  coordinator: TestCoordinator;
  podman: CohortPodman;
  agent?: RunningAgent;
  /** The first node, node-a; the fleet's own startMember, count and state are its. */
  node: PodmanNode;
  ctl(argv: string[]): ReturnType<typeof cohortctl>;
  startMember: PodmanNode['startMember'];
  count: PodmanNode['count'];
  state(name: string): Promise<string>;
  /** Another node with its own podman storage and state dir, and its agent. */
  addNode(name: string, options?: PodmanNodeOptions): Promise<PodmanNode>;
  stop(): Promise<void>;
}

/** cohortd in this process, one node agent in this process, podman with its own storage. */
export async function startOneNodeFleet(
  criuDir: string,
  agentLossMs = 15_000,
  options: FleetOptions = {},
): Promise<OneNodeFleet> {
  const coordinator = await startTestCoordinator({
    agentLossMs,
    ...(options.metrics === true ? { metricsListen: '127.0.0.1:0' } : {}),
  });
  const nodes: PodmanNode[] = [];
  const addNode = async (name: string, nodeOptions: PodmanNodeOptions = {}) => {
    const node = await startPodmanNode(name, coordinator.address, criuDir, nodeOptions);
    nodes.push(node);
    return node;
  };
  const first = await addNode('node-a', options);
  return {
    coordinator,
    podman: first.podman,
    ...(first.agent === undefined ? {} : { agent: first.agent }),
    node: first,
    ctl: (argv) =>
      cohortctl(['--config', coordinator.configPath, ...argv], { env: first.podman.env }),
    startMember: (...args) => first.startMember(...args),
    count: (name, file) => first.count(name, file),
    state: (name) => first.state(name),
    addNode,
    async stop() {
      for (const node of nodes) await node.stop();
      await coordinator.stop();
    },
  };
}

/** Waits (bounded) until `check` holds; a safety net for what happens in the background. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Waits until cohortd hears of every member of `group` running (its agents report them). */
export async function waitForMembers(
  ctl: OneNodeFleet['ctl'],
  group: string,
  members: readonly string[],
): Promise<void> {
  await eventually(
    async () => {
      const view = JSON.parse((await ctl(['group', 'show', group, '--json'])).stdout) as {
        members: { member: string; state: string }[];
      };
      const running = view.members.filter((m) => m.state === 'running').map((m) => m.member);
      return members.every((m) => running.includes(m)) ? true : undefined;
    },
    `cohortd hears of members ${members.join(', ')} of ${group} running`,
  );
}

/** A group name no other test uses. */
export function newGroup(prefix = 'g'): string {
  return `${prefix}${Math.random().toString(36).slice(2, 8)}`;
}
