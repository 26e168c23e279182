import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAgent, type RunningAgent } from '../../../src/agent/agent.js';
import { silentLogger } from '../../../src/coordinator/server/logger.js';
import {
  createCohortPodman,
  podmanAnnotation,
  type CohortPodman,
} from '../../cli/support/cohort-podman.js';
import { startTestCoordinator, type TestCoordinator } from '../../cli/support/coordinator.js';
import { cohortctl } from '../../cli/support/run-cli.js';
import { cohortDefaultStateDir } from '../../helpers/cohort-state.js';
import { PODMAN } from '../../helpers/podman.js';
import { COHORT_BIN, RUNC } from '../../helpers/runc.js';

/** A counter that changes ten times a second: a restored member resumes from its checkpoint. */
export const COUNTER = 'i=0; while :; do i=$((i+1)); echo $i > /tmp/count; sleep 0.1; done';

export interface OneNodeFleet {
  coordinator: TestCoordinator;
  podman: CohortPodman;
  agent: RunningAgent;
  dir: string;
  ctl(argv: string[]): ReturnType<typeof cohortctl>;
  /** `podman run -d` of a member of `group` through cohort, with its annotations. */
  startMember(
    group: string,
    member: string,
    members: readonly string[],
    command?: string,
  ): Promise<string>;
  count(name: string): Promise<number>;
  state(name: string): Promise<string>;
  stop(): Promise<void>;
}

/** cohortd in this process, one node agent in this process, podman with its own storage. */
export async function startOneNodeFleet(
  criuDir: string,
  agentLossMs = 15_000,
): Promise<OneNodeFleet> {
  const coordinator = await startTestCoordinator({ agentLossMs });
  const podman = await createCohortPodman({ coordinator: coordinator.address, criuDir });
  const dir = mkdtempSync(join(tmpdir(), 'cohort-fleet-'));
  const agent = startAgent({
    node: 'node-a',
    coordinator: { address: coordinator.address, connectTimeoutMs: 5_000 },
    podman: { binary: PODMAN, globalArgs: [], env: podman.env },
    runcRoots: [],
    runc: RUNC,
    cohort: COHORT_BIN,
    env: podman.env,
    // podman's conmon passes its env's config; podman's own checkpoint call passes none.
    sessionStateDirs: [podman.stateDir, cohortDefaultStateDir()],
    workDir: join(dir, 'agent'),
    store: { tlsVerify: false },
    podmanRuntimeName: 'cohort',
    pollMs: 500,
    logger: silentLogger,
  });
  const inspect = async (name: string, format: string) =>
    (await podman.podman(['container', 'inspect', '--format', format, name])).stdout.trim();
  return {
    coordinator,
    podman,
    agent,
    dir,
    ctl: (argv) => cohortctl(['--config', coordinator.configPath, ...argv], { env: podman.env }),
    async startMember(group, member, members, command = COUNTER) {
      const name = `${group}-${member}`;
      const annotations = [
        `io.cohort.group=${group}`,
        `io.cohort.member=${member}`,
        `io.cohort.group.members=${members.join(':')}`,
        `io.cohort.coordinator=${coordinator.address}`,
      ];
      const result = await podman.podman([
        '--runtime',
        'cohort',
        'run',
        '-d',
        '--name',
        name,
        ...annotations.flatMap((a) => ['--annotation', podmanAnnotation(a)]),
        podman.image,
        'sh',
        '-c',
        command,
      ]);
      if (result.exitCode !== 0) throw new Error(`podman run ${name}: ${result.stderr}`);
      return name;
    },
    async count(name) {
      // podman cp reads a stopped container's files too.
      const result = await podman.podman(['cp', `${name}:/tmp/count`, '-']);
      return Number(/(\d+)\s*$/.exec(result.stdout.replace(/\0+/g, ''))?.[1] ?? Number.NaN);
    },
    state: (name) => inspect(name, '{{.State.Status}}'),
    async stop() {
      agent.stop();
      await podman.cleanup();
      await coordinator.stop();
      rmSync(dir, { recursive: true, force: true });
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
