// A group of 4 podman containers, each holding about 256 MiB of touched memory, checkpointed and
// stored to a local registry by cohort as users do it (`cohortctl checkpoint GROUP --store
// oci://…`: cohortd and a node agent, each a process of its own), against podman's own way for 4
// containers with the same workload (`checkpoint --create-image`, then `podman push`, the four at
// once). Prints both times and their ratio (goal <= 0.8), cohortd's RSS against the image size
// (it never carries the data), and the agent's peak RSS over its idle RSS (goal <= 64 MiB).
// Run: node --import tsx test/bench/group-store-bench.ts [--mib N (184)] [--small-mib N (32)] [--rounds N (3)]
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { probeCriu } from '../../src/criu/probe.js';
import { createCohortPodman, type CohortPodman } from '../cli/support/cohort-podman.js';
import { createPodmanEnv, type PodmanEnv } from '../helpers/podman.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';
import { run } from '../helpers/run.js';
import { REPO_ROOT } from '../helpers/runc.js';
import {
  clearCheckpoints,
  holdMemory,
  median,
  MEMBERS,
  podmanWay,
  processMiB,
  resetPeak,
  waitForMemory,
} from './store-workload.js';

const COHORTD = join(REPO_ROOT, 'bin', 'cohortd');
const COHORTCTL = join(REPO_ROOT, 'bin', 'cohortctl');

interface Bench {
  dir: string;
  socket: string;
  registry: TestRegistry;
  cohortd: ChildProcess;
  agent: ChildProcess;
  /** The group's podman (runtime cohort) and the baseline's (runtime runc), each its own storage. */
  cohort: CohortPodman;
  plain: PodmanEnv;
}

interface CohortRound {
  seconds: number;
  agentIdleMiB: number;
  agentPeakMiB: number;
  cohortdMiB: number;
  cohortdPeakMiB: number;
  storedMiB: number[];
}

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  return at < 0 ? fallback : Number(process.argv[at + 1]);
}

/** A process of its own, its stderr in a file under the bench's dir. */
function daemon(dir: string, name: string, args: string[], env: Record<string, string>) {
  const log = openSync(join(dir, `${name}.log`), 'a');
  const child = spawn(COHORTD, args, { env, stdio: ['ignore', 'ignore', log] });
  process.once('exit', () => child.kill('SIGKILL'));
  return child;
}

async function setUp(criuDir: string): Promise<Bench> {
  const dir = mkdtempSync(join(tmpdir(), 'cohort-group-bench-'));
  const socket = join(dir, 'cohortd.sock');
  const registry = await startRegistry();
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
  const cohortd = daemon(
    dir,
    'cohortd',
    ['--listen', `unix://${socket}`, '--state-dir', join(dir, 'state'), '--no-agent'],
    env,
  );
  for (let i = 0; i < 200 && !existsSync(socket); i += 1) await sleep(50);
  const cohort = await createCohortPodman({ coordinator: `unix://${socket}`, criuDir });
  const agent = daemon(
    dir,
    'agent',
    [
      'agent',
      '--node',
      'bench',
      '--coordinator',
      `unix://${socket}`,
      '--work-dir',
      join(dir, 'work'),
      '--config',
      cohort.env.COHORT_CONFIG ?? '',
      '--no-store-tls-verify',
      '--log-level',
      'warn',
    ],
    cohort.env,
  );
  const plain = await createPodmanEnv({ runtime: 'runc' });
  return { dir, socket, registry, cohortd, agent, cohort, plain };
}

async function tearDown(bench: Bench): Promise<void> {
  bench.agent.kill('SIGTERM');
  await bench.cohort.cleanup();
  await bench.plain.cleanup();
  bench.cohortd.kill('SIGTERM');
  await bench.registry.stop();
  rmSync(bench.dir, { recursive: true, force: true });
}

/** 4 group members under cohort and 4 plain containers, each holding `inputMiB` of random lines. */
async function startContainers(bench: Bench, group: string, inputMiB: number): Promise<number[]> {
  const hold = holdMemory(inputMiB);
  for (const member of MEMBERS) {
    const annotations = [
      `io.cohort.group=${group}`,
      `io.cohort.member=${member}`,
      `io.cohort.group.members=${MEMBERS.join(':')}`,
      `io.cohort.coordinator=unix://${bench.socket}`,
    ];
    const ours = await bench.cohort.podman([
      '--runtime',
      'cohort',
      'run',
      '-d',
      '--name',
      member,
      ...annotations.flatMap((a) => ['--annotation', a]),
      bench.cohort.image,
      'sh',
      '-c',
      hold,
    ]);
    if (ours.exitCode !== 0) throw new Error(`podman run ${member}: ${ours.stderr}`);
    const theirs = await bench.plain.podman([
      'run',
      '-d',
      '--name',
      member,
      bench.plain.image,
      'sh',
      '-c',
      hold,
    ]);
    if (theirs.exitCode !== 0) throw new Error(`podman run ${member}: ${theirs.stderr}`);
  }
  await waitForMemory(bench.plain, MEMBERS, inputMiB);
  return waitForMemory(bench.cohort, MEMBERS, inputMiB);
}

async function removeContainers(bench: Bench): Promise<void> {
  await bench.cohort.podman(['rm', '--force', '--time', '0', ...MEMBERS]);
  await bench.plain.podman(['rm', '--force', '--time', '0', ...MEMBERS]);
}

/** `cohortctl checkpoint GROUP --store LOCATION --leave-running`, timed, with both daemons' memory. */
async function cohortWay(bench: Bench, group: string): Promise<CohortRound> {
  await clearCheckpoints(bench.cohort, MEMBERS);
  const agentPid = bench.agent.pid ?? 0;
  const cohortdPid = bench.cohortd.pid ?? 0;
  await sleep(500);
  resetPeak(agentPid);
  resetPeak(cohortdPid);
  const agentIdleMiB = processMiB(agentPid, 'VmRSS');
  const location = `oci://${bench.registry.host}/cohort/${group}`;
  const started = process.hrtime.bigint();
  const result = await run(
    COHORTCTL,
    [
      '--coordinator',
      `unix://${bench.socket}`,
      'checkpoint',
      group,
      '--store',
      location,
      '--leave-running',
      '--json',
    ],
    { env: bench.cohort.env, timeoutMs: 600_000 },
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.exitCode !== 0) throw new Error(`cohortctl checkpoint: ${result.stderr}`);
  const outcome = JSON.parse(result.stdout) as { stored?: { members: { size: number }[] } };
  return {
    seconds,
    agentIdleMiB,
    agentPeakMiB: processMiB(agentPid, 'VmHWM'),
    cohortdMiB: processMiB(cohortdPid, 'VmRSS'),
    cohortdPeakMiB: processMiB(cohortdPid, 'VmHWM'),
    storedMiB: (outcome.stored?.members ?? []).map((m) => m.size / 2 ** 20),
  };
}

function describeRound(label: string, ours: CohortRound): string {
  const stored = ours.storedMiB.map((m) => m.toFixed(0)).join(', ');
  return [
    `${label} cohort: cohortctl checkpoint --store, through cohortd and its agent: ${ours.seconds.toFixed(1)} s (stored MiB: ${stored})`,
    `${label} agent RSS: idle ${ours.agentIdleMiB.toFixed(0)} MiB, peak ${ours.agentPeakMiB.toFixed(0)} MiB, growth ${(ours.agentPeakMiB - ours.agentIdleMiB).toFixed(0)} MiB (goal <= 64)`,
    `${label} cohortd RSS: ${ours.cohortdMiB.toFixed(0)} MiB, peak during the round ${ours.cohortdPeakMiB.toFixed(0)} MiB`,
  ].join('\n');
}

async function main(): Promise<void> {
  const criu = await probeCriu();
  if (criu.usable === undefined) {
    console.log(`skipping: no usable CRIU (${criu.rejected.join('; ')})`);
    return;
  }
  const inputMiB = option('--mib', 184);
  const smallMiB = option('--small-mib', 32);
  const rounds = option('--rounds', 3);
  const bench = await setUp(dirname(criu.usable.path));
  try {
    // A small image first: what cohortd and the agent hold when there is little to carry.
    const small = `small${smallMiB}`;
    const smallRss = await startContainers(bench, small, smallMiB);
    console.log(
      `4 containers holding ${smallMiB} MiB of random lines each: RSS ${smallRss.map((r) => r.toFixed(0)).join(', ')} MiB`,
    );
    console.log(describeRound('small', await cohortWay(bench, small)));
    await removeContainers(bench);

    const group = `big${inputMiB}`;
    const rss = await startContainers(bench, group, inputMiB);
    console.log(
      `4 containers holding ${inputMiB} MiB of random lines each: RSS ${rss.map((r) => r.toFixed(0)).join(', ')} MiB`,
    );
    const cohortTimes: number[] = [];
    const podmanTimes: number[] = [];
    for (let round = 1; round <= rounds; round += 1) {
      await clearCheckpoints(bench.plain, MEMBERS);
      const theirs = await podmanWay(bench.plain, bench.registry.host, round, MEMBERS);
      await clearCheckpoints(bench.plain, MEMBERS);
      podmanTimes.push(theirs.seconds);
      console.log(
        `round ${round} podman: checkpoint --create-image ${theirs.create.toFixed(1)} s + push ${theirs.push.toFixed(1)} s = ${theirs.seconds.toFixed(1)} s`,
      );
      const ours = await cohortWay(bench, group);
      cohortTimes.push(ours.seconds);
      console.log(describeRound(`round ${round}`, ours));
    }
    const ratio = median(cohortTimes) / median(podmanTimes);
    console.log(
      `median: cohort ${median(cohortTimes).toFixed(1)} s, podman ${median(podmanTimes).toFixed(1)} s, ratio ${ratio.toFixed(2)} (goal <= 0.8)`,
    );
  } finally {
    await tearDown(bench);
  }
}

await main();
