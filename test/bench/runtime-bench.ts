// `create` through bin/cohort against runc's own, in one run: a plain container (decided in bash,
// no Node) and a group member (served by the session host, running in this process as a node's
// agent runs it); peak RSS of the plain create; where the time goes, with a stand-in runc
// (/bin/true) so that only cohort's part is left; and `state` pass-through as context.
// Run: npm run build && npx tsx test/bench/runtime-bench.ts [--iterations N]
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ANNOTATION } from '../../src/spec/annotations.js';
import {
  COHORT_BIN,
  createRuntimeSandbox,
  NODE,
  RUNC,
  type RuntimeSandbox,
} from '../helpers/runc.js';
import { startTestSessionHost } from '../helpers/session-host.js';
import { deleteContainer, sampleSeries, versusRow, type Variant } from './runtime-bench-series.js';
import { machineLine, median, printTable, round, verdict } from './stats.js';
import { GNU_TIME, peakRssKiB, timedCall } from './timed-call.js';

const GOALS = { plainExtraMs: 3, plainRssExtraKiB: 2 * 1024, memberExtraMs: 40 };
const WARMUP = 3;
const RSS_RUNS = 10;
/** Stands in for runc where only cohort's own time is wanted: it does nothing, at once. */
const STAND_IN_RUNC = '/bin/true';

function iterationsFromArgv(): number {
  const index = process.argv.indexOf('--iterations');
  const value = index === -1 ? 40 : Number(process.argv[index + 1]);
  if (!Number.isInteger(value) || value < 20)
    throw new Error('--iterations takes a whole number >= 20');
  return value;
}

function withoutShlvl(env: Record<string, string>): Record<string, string> {
  const copy = { ...env };
  delete copy.SHLVL;
  return copy;
}

/** A config like the sandbox's, same stateDir (so the same host), whose runc is the stand-in. */
function standInEnv(sandbox: RuntimeSandbox): Record<string, string> {
  const path = join(sandbox.dir, 'stand-in.json');
  const config = { runc: STAND_IN_RUNC, node: NODE, stateDir: sandbox.stateDir };
  writeFileSync(path, JSON.stringify(config) + '\n');
  return { ...sandbox.env, COHORT_CONFIG: path };
}

async function main(): Promise<void> {
  const iterations = iterationsFromArgv();
  const sandbox = createRuntimeSandbox();
  const host = await startTestSessionHost(sandbox.stateDir);
  try {
    console.log(`${machineLine()}; ${iterations} rounds after ${WARMUP} warm-up`);
    const plain = sandbox.bundle({ args: ['sleep', '1000'] });
    const member = sandbox.bundle({
      args: ['sleep', '1000'],
      annotations: {
        [ANNOTATION.group]: 'bench',
        [ANNOTATION.member]: 'm0',
        [ANNOTATION.members]: 'm0',
      },
    });
    // As engines call (conmon, containerd's shim): no SHLVL, so bash execs runc through env.
    const engine = withoutShlvl(sandbox.env);
    const create = (
      cmd: string,
      bundle: string,
      name: string,
      env: Record<string, string>,
      creates = true,
    ): Variant => ({
      name,
      cmd,
      args: (id) => ['--root', sandbox.root, 'create', '--bundle', bundle, id],
      env,
      creates,
    });

    const [runc = [], cohortPlain = [], cohortMember = []] = await sampleSeries(
      sandbox,
      [
        create(RUNC, plain, 'runc', engine),
        create(COHORT_BIN, plain, 'cohort plain', engine),
        create(COHORT_BIN, member, 'cohort member', engine),
      ],
      iterations,
      WARMUP,
    );
    const plainAdded = median(cohortPlain) - median(runc);
    const memberAdded = median(cohortMember) - median(runc);
    printTable(
      'Goals 3 and 4: create through bin/cohort vs runc create, caller env as engines give it (no SHLVL), wall time (ms)',
      [
        versusRow('runc create', runc, runc, 'baseline'),
        versusRow(
          'cohort create, plain container (bash decides)',
          cohortPlain,
          runc,
          `<= +${GOALS.plainExtraMs} ms: ${verdict(plainAdded <= GOALS.plainExtraMs)}`,
        ),
        versusRow(
          'cohort create, group member (session host)',
          cohortMember,
          runc,
          `<= +${GOALS.memberExtraMs} ms: ${verdict(memberAdded <= GOALS.memberExtraMs)}`,
        ),
      ],
    );

    await printPeakRss(sandbox, engine, plain, member);

    // With the stand-in runc no container comes to be.
    const standIn = standInEnv(sandbox);
    const shell = { ...standIn, SHLVL: '1' };
    const [floor = [], bash = [], frontDoor = [], fromShell = [], hostCall = []] =
      await sampleSeries(
        sandbox,
        [
          { name: STAND_IN_RUNC, cmd: STAND_IN_RUNC, args: () => [] },
          { name: 'bash', cmd: '/bin/bash', args: () => ['-c', ':'] },
          create(COHORT_BIN, plain, 'front door', withoutShlvl(standIn), false),
          create(COHORT_BIN, plain, 'front door, from a shell', shell, false),
          create(COHORT_BIN, member, 'host call', withoutShlvl(standIn), false),
        ],
        iterations,
        WARMUP,
      );
    printTable(`Where create's time goes: bin/cohort with ${STAND_IN_RUNC} as its runc (ms)`, [
      versusRow(`${STAND_IN_RUNC} alone (process start)`, floor, floor, 'baseline'),
      versusRow('/bin/bash -c : (bash start)', bash, floor, '-'),
      versusRow('cohort create, plain: sh, bash decides, env execs', frontDoor, floor, '-'),
      versusRow('  the same from a shell (SHLVL set: no env)', fromShell, floor, '-'),
      versusRow('cohort create, member: + host dispatch', hostCall, frontDoor, 'vs plain'),
    ]);

    await printState(sandbox, plain);
    console.log(`\nafter the run: ${machineLine()}`);
  } finally {
    host.stop();
    await sandbox.cleanup();
  }
}

/** Goal 3's memory side: GNU time's %M, the peak of the front door's chain and runc's. */
async function printPeakRss(
  sandbox: RuntimeSandbox,
  env: Record<string, string>,
  plain: string,
  member: string,
) {
  if (!existsSync(GNU_TIME)) {
    console.log(`\npeak RSS: not measured, ${GNU_TIME} is missing (the "time" package)`);
    return;
  }
  const rss = { runc: [] as number[], plain: [] as number[], member: [] as number[] };
  const err = join(sandbox.dir, 'rss.err');
  for (let i = 0; i < RSS_RUNS; i += 1) {
    for (const [key, cmd, bundle] of [
      ['runc', RUNC, plain],
      ['plain', COHORT_BIN, plain],
      ['member', COHORT_BIN, member],
    ] as const) {
      const id = sandbox.id('rss');
      const args = ['--root', sandbox.root, 'create', '--bundle', bundle, id];
      rss[key].push(await peakRssKiB(cmd, args, env, err));
      await deleteContainer(sandbox, id);
    }
  }
  const base = median(rss.runc);
  const row = (name: string, samples: number[], goal: string) => ({
    case: name,
    runs: samples.length,
    p50_kib: median(samples),
    max_kib: Math.max(...samples),
    added_kib: median(samples) - base,
    goal,
  });
  const added = median(rss.plain) - base;
  printTable('Goal 3: peak RSS of create (GNU time %M, KiB)', [
    row('runc create', rss.runc, 'baseline'),
    row(
      'cohort create, plain container',
      rss.plain,
      `<= +${GOALS.plainRssExtraKiB} KiB: ${verdict(added <= GOALS.plainRssExtraKiB)}`,
    ),
    row('cohort create, group member (front door only)', rss.member, '-'),
  ]);
}

/** Context: `state` passes through sh to runc with one exec. */
async function printState(sandbox: RuntimeSandbox, bundle: string) {
  const id = sandbox.id('state');
  await timedCall(RUNC, ['--root', sandbox.root, 'create', '--bundle', bundle, id], sandbox.env);
  const args = () => ['--root', sandbox.root, 'state', id];
  const [runc = [], cohort = []] = await sampleSeries(
    sandbox,
    [
      { name: 'runc', cmd: RUNC, args },
      { name: 'cohort', cmd: COHORT_BIN, args },
    ],
    30,
    WARMUP,
  );
  printTable('Context: state, passed through to runc (ms)', [
    { ...versusRow('runc state', runc, runc, 'baseline'), ratio: 1 },
    {
      ...versusRow('cohort state', cohort, runc, '-'),
      ratio: round(median(cohort) / median(runc)),
    },
  ]);
}

await main();
