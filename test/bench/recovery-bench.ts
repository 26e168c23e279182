// Recovery time on two real nodes (network namespaces, podman per node, real CRIU, cohortd and
// agents as processes): from a member's SIGKILL to the whole group running again, in parts, against
// the same group's restore by an operator measured just before (the baseline).
// Goal: recovery <= detection + the group's restore time + 1 s.
// Run: npx tsx test/bench/recovery-bench.ts [--quick]   (as root, after npm run build)
import { dirname, join } from 'node:path';
import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { probeCriu } from '../../src/criu/probe.js';
import type { GroupView, OperationResult } from '../../src/gen/cohort/v1/groups.js';
import { startCluster, type Cluster } from '../nodes/support/cluster.js';
import { untilConnected, untilRecovered, untilRunning } from '../nodes/support/steps.js';
import { memberScript, pidOf, runMember } from '../nodes/support/workload.js';
import { round, table } from './coordinator-bench-stats.js';
import { median } from './stats.js';

const quick = process.argv.includes('--quick');
const REPEATS = quick ? 1 : 3;
const SLACK_MS = 1_000;

interface Sample {
  group: string;
  /** An operator's restore of the running group from the same checkpoint (cohortctl restore). */
  baselineMs: number;
  /** SIGKILL to the agent's member-died report. */
  detectionMs: number;
  /** The report to the recovery's start (cohortd: policy, lock, rule, record). */
  decisionMs: number;
  /** The recovery's restore: old members removed, archives fetched, restored, released. */
  restoreMs: number;
  /** Of which: the old members removed (start to the restore round's opening). */
  removeMs: number;
  /** Of which: the restore round, opened to closed (fetch, podman restore, barriers). */
  roundMs: number;
  /** SIGKILL to the recovery recorded as restored: every member running again. */
  totalMs: number;
}

async function once(cluster: Cluster, group: string): Promise<Sample> {
  const [n1, n2] = [cluster.node('n1'), cluster.node('n2')];
  await runMember(n1, group, 'a', ['a', 'b'], memberScript('counter'));
  await runMember(n2, group, 'b', ['a', 'b'], memberScript('counter'));
  await untilRunning(cluster, group, 2);
  const store = `dir:${join(cluster.dir, `store-${group}`)}`;
  await cluster.ctl(['group', 'set', group, '--store', store, '--on-failure', 'restore']);
  const stored = await cluster.ctl(['checkpoint', group, '--leave-running']);
  if (stored.code !== 0) throw new Error(`checkpoint ${group}: ${stored.stderr}`);
  const baseline = await cluster.ctlJson<OperationResult>(['restore', group]);
  if (baseline.outcome !== 'permanent') throw new Error(`restore ${group}: ${baseline.reason}`);
  await untilRunning(cluster, group, 2);
  await sleep(500);

  const killedAt = Date.now();
  process.kill((await pidOf(n1, `${group}-a`)) ?? -1, 'SIGKILL');
  const died = await n1.agent?.waitFor(
    'member-died',
    (l) => l.group === group,
    20_000,
    killedAt - 1,
  );
  const recovery = await untilRecovered(cluster, group, killedAt - 1);
  if (recovery.outcome !== 'restored' || recovery.finishedAt === undefined)
    throw new Error(`recovery of ${group}: ${recovery.outcome} ${recovery.reason}`);
  const view = await cluster.ctlJson<GroupView>(['group', 'show', group]);
  if (view.members.some((m) => m.state !== 'running'))
    throw new Error(`${group} is not running after its recovery`);
  const detectedAt = Date.parse(died?.time ?? '');
  const line = (msg: string) =>
    cluster.cohortd
      .lines()
      .find((l) => l.msg === msg && l.group === group && Date.parse(l.time) >= recovery.startedAt);
  const opened = Date.parse(line('round-opened')?.time ?? '');
  const closed = Date.parse(line('round-closed')?.time ?? '');
  return {
    group,
    baselineMs: baseline.durationMs,
    detectionMs: detectedAt - killedAt,
    decisionMs: recovery.startedAt - detectedAt,
    restoreMs: recovery.finishedAt - recovery.startedAt,
    removeMs: opened - recovery.startedAt,
    roundMs: closed - opened,
    totalMs: recovery.finishedAt - killedAt,
  };
}

async function main(): Promise<void> {
  const probe = await probeCriu();
  if (probe.usable === undefined || process.getuid?.() !== 0) {
    console.log('recovery-bench needs root and a usable CRIU (see test/criu/support/criu-tier.ts)');
    process.exitCode = 2;
    return;
  }
  const cluster = await startCluster({ nodes: 2, criuDir: dirname(probe.usable.path) });
  const samples: Sample[] = [];
  try {
    await Promise.all(cluster.nodes.map((n) => n.startAgent()));
    await untilConnected(cluster, ['n1', 'n2']);
    for (let i = 0; i < REPEATS; i += 1) samples.push(await once(cluster, `r${i + 1}`));
  } finally {
    await cluster.stop();
  }
  const rows = samples.map((s) => [
    s.group,
    s.detectionMs,
    s.decisionMs,
    s.restoreMs,
    s.removeMs,
    s.roundMs,
    s.totalMs,
    s.baselineMs,
    s.totalMs - s.detectionMs - s.baselineMs,
    s.totalMs <= s.detectionMs + s.baselineMs + SLACK_MS ? 'yes' : 'NO',
  ]);
  const mid = (pick: (s: Sample) => number) => round(median(samples.map(pick)), 0);
  console.log(
    `recovery of a two-member podman group across two nodes (counters, dir: store), a member killed with SIGKILL;` +
      ` ${REPEATS} run(s); load average ${loadavg()
        .map((l) => round(l, 1))
        .join(' ')}`,
  );
  console.log(
    table(
      [
        'group',
        'detection',
        'decision',
        'restore',
        '(remove',
        'round)',
        'total (ms)',
        'baseline restore',
        'over (ms)',
        `<= +${SLACK_MS} ms`,
      ],
      rows,
    ),
  );
  console.log(
    `median: detection ${mid((s) => s.detectionMs)} ms, decision ${mid((s) => s.decisionMs)} ms, restore ${mid((s) => s.restoreMs)} ms (baseline ${mid((s) => s.baselineMs)} ms), total ${mid((s) => s.totalMs)} ms`,
  );
  console.log(JSON.stringify({ benchmark: 'recovery', results: samples }));
  process.exitCode = samples.every((s) => s.totalMs <= s.detectionMs + s.baselineMs + SLACK_MS)
    ? 0
    : 1;
}

await main();
