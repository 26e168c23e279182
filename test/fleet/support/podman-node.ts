import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAgent, type RunningAgent } from '../../../src/agent/agent.js';
import type { AgentOptions } from '../../../src/agent/options.js';
import { silentLogger } from '../../../src/coordinator/server/logger.js';
import {
  createCohortPodman,
  podmanAnnotation,
  type CohortPodman,
} from '../../cli/support/cohort-podman.js';
import { cohortDefaultStateDir } from '../../helpers/cohort-state.js';
import { PODMAN } from '../../helpers/podman.js';
import { COHORT_BIN, RUNC } from '../../helpers/runc.js';

/** A counter that changes ten times a second: a restored member resumes from its checkpoint. */
export const COUNTER = 'i=0; while :; do i=$((i+1)); echo $i > /tmp/count; sleep 0.1; done';

export interface PodmanNodeOptions {
  /** How the agent reaches stores (default: no TLS check, plain HTTP on loopback). */
  store?: AgentOptions['store'];
  /** Added to the agent's environment: REGISTRY_AUTH_FILE and the like. */
  agentEnv?: Record<string, string>;
  /** false: no agent in this process (the test runs `cohortd agent` itself). */
  agent?: boolean;
}

/** One node: its own podman storage and state (another node's stand-in), and its agent. */
export interface PodmanNode {
  name: string;
  podman: CohortPodman;
  /** The agent in this process (absent with `agent: false`). */
  agent?: RunningAgent;
  /** The agent's environment (the store's credentials are looked up in it). */
  agentEnv: Record<string, string>;
  /** `podman run -d` of a member of `group` through cohort, with its annotations. */
  startMember(
    group: string,
    member: string,
    members: readonly string[],
    command?: string,
    runArgs?: readonly string[],
  ): Promise<string>;
  /** The last number in a file (/tmp/count) of a container, running or stopped. */
  count(name: string, file?: string): Promise<number>;
  /** podman's status of a container: running, exited, … or gone. */
  state(name: string): Promise<string>;
  /** Stops the agent only (its node is then lost to cohortd); the containers stay. */
  stopAgent(): void;
  stop(): Promise<void>;
}

/** A node whose members run under podman with cohort as runtime, and its in-process agent. */
export async function startPodmanNode(
  name: string,
  coordinator: string,
  criuDir: string,
  options: PodmanNodeOptions = {},
): Promise<PodmanNode> {
  const podman = await createCohortPodman({ coordinator, ...(criuDir === '' ? {} : { criuDir }) });
  const dir = mkdtempSync(join(tmpdir(), `cohort-${name}-`));
  const agentEnv = { ...podman.env, ...options.agentEnv };
  const agent =
    options.agent === false
      ? undefined
      : startAgent({
          node: name,
          coordinator: { address: coordinator, connectTimeoutMs: 5_000 },
          podman: { binary: PODMAN, globalArgs: [], env: podman.env },
          runcRoots: [],
          runc: RUNC,
          cohort: COHORT_BIN,
          env: agentEnv,
          // podman's conmon passes its env's config; podman's own checkpoint call passes none.
          sessionStateDirs: [podman.stateDir, cohortDefaultStateDir()],
          workDir: join(dir, 'agent'),
          store: options.store ?? { tlsVerify: false },
          podmanRuntimeName: 'cohort',
          pollMs: 500,
          logger: silentLogger,
        });
  let agentRunning = true;
  const stopAgent = () => {
    if (agentRunning) agent?.stop();
    agentRunning = false;
  };
  return {
    name,
    podman,
    agent,
    agentEnv,
    async startMember(group, member, members, command = COUNTER, runArgs = []) {
      const container = `${group}-${member}`;
      const annotations = [
        `io.cohort.group=${group}`,
        `io.cohort.member=${member}`,
        `io.cohort.group.members=${members.join(':')}`,
        `io.cohort.coordinator=${coordinator}`,
      ];
      const result = await podman.podman([
        '--runtime',
        'cohort',
        'run',
        '-d',
        '--name',
        container,
        ...annotations.flatMap((a) => ['--annotation', podmanAnnotation(a)]),
        ...runArgs,
        podman.image,
        'sh',
        '-c',
        command,
      ]);
      if (result.exitCode !== 0) throw new Error(`podman run ${container}: ${result.stderr}`);
      return container;
    },
    async count(container, file = '/tmp/count') {
      // podman cp reads a stopped container's files too (as a tar: its padding is dropped).
      const result = await podman.podman(['cp', `${container}:${file}`, '-']);
      return Number(/(\d+)\s*$/.exec(result.stdout.replace(/\0+/g, ''))?.[1] ?? Number.NaN);
    },
    async state(container) {
      const result = await podman.podman([
        'container',
        'inspect',
        '--format',
        '{{.State.Status}}',
        container,
      ]);
      return result.exitCode === 0 ? result.stdout.trim() : 'gone';
    },
    stopAgent,
    async stop() {
      stopAgent();
      await podman.cleanup();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
