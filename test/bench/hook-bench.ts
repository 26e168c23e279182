// The hook's own cost inside CRIU's frozen window: spawn hooks/criu-action as CRIU does, against a
// session channel that answers at once, so what is timed is process start plus one round trip.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_HOOK_PATH } from '../../src/core/package-paths.js';
import { answeredActions } from '../../src/session/action-plan.js';
import { CallChannel } from '../../src/runtime/host/channel.js';
import { answerHook } from '../../src/runtime/host/hook-desk.js';
import { median, percentile, printTable, round } from './stats.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 200);

/** Times one run; a case whose exit code is not the expected one measures nothing, so it throws. */
function timeSpawn(command: string, env: NodeJS.ProcessEnv, expected: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, [], { env, stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== expected) reject(new Error(`${command} exited ${code}, not ${expected}`));
      resolve(Number(process.hrtime.bigint() - started) / 1e6);
    });
  });
}

async function sample(
  command: string,
  env: NodeJS.ProcessEnv,
  expected: number,
): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i += 1) samples.push(await timeSpawn(command, env, expected));
  return samples;
}

const dir = mkdtempSync(join(tmpdir(), 'cohort-hook-bench-'));
const hook = {
  handler: async () => ({ exitCode: 0, message: '' }),
  actions: answeredActions('checkpoint'),
  timeoutSeconds: 30,
};
const channel = await CallChannel.create(join(dir, 'session'));
channel.onLine = (line) => void answerHook(line, hook, (reply) => channel.reply(reply));
const sessionEnv = {
  COHORT_SESSION_DIR: channel.dir,
  COHORT_SESSION_PID: String(process.pid),
  COHORT_ACTIONS: hook.actions.join(' '),
  COHORT_HOOK_TIMEOUT: String(hook.timeoutSeconds),
};
const criuEnv = {
  PATH: process.env.PATH,
  CRTOOLS_SCRIPT_ACTION: 'post-dump',
  CRTOOLS_IMAGE_DIR: '/proc/1/fd/5',
  CRTOOLS_INIT_PID: '1',
};
const rows = [];
/** [case, command, environment, the exit code it must give]. */
const baselines: [string, string, NodeJS.ProcessEnv, number][] = [
  ['/bin/true (process start)', '/bin/true', criuEnv, 0],
  ['/bin/sh, empty input (dash start)', '/bin/sh', criuEnv, 0],
  ['hook, no session (fails closed, exit 1)', DEFAULT_HOOK_PATH, criuEnv, 1],
  [
    'hook, unused action',
    DEFAULT_HOOK_PATH,
    { ...criuEnv, ...sessionEnv, CRTOOLS_SCRIPT_ACTION: 'post-resume' },
    0,
  ],
  ['hook, round trip (post-dump)', DEFAULT_HOOK_PATH, { ...criuEnv, ...sessionEnv }, 0],
];
for (const [name, command, env, expected] of baselines) {
  const samples = await sample(command, env, expected);
  rows.push({
    case: name,
    runs: RUNS,
    p50_ms: round(median(samples)),
    p99_ms: round(percentile(samples, 99)),
  });
}
channel.close();
rmSync(dir, { recursive: true, force: true });
printTable('CRIU action hook: time CRIU waits per action (no peers to wait for)', rows);
