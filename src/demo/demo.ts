import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { connectCoordinator } from '../coordinator/client.js';
import { startCoordinator } from '../coordinator/start-coordinator.js';
import { silentLogger } from '../coordinator/server/logger.js';
import { PACKAGE_ROOT } from '../core/package-paths.js';
import { probeCriu } from '../criu/probe.js';
import { startSessionHost } from '../runtime/host/session-host.js';
import { makeDemoBundle } from './bundle.js';
import { followRound } from './progress.js';
import { checkSequence, isUnbroken } from './sequence.js';
import { DEMO_MEMBERS } from './workload.js';

const GROUP = 'demo';
const COHORT = join(PACKAGE_ROOT, 'bin', 'cohort');
const RUN_SECONDS = 2;

export interface DemoOptions {
  runc: string;
  print: (line: string) => void;
  keep: boolean;
}

/** The main job: a group of three real containers checkpointed and restored as one. */
export async function runDemo(options: DemoOptions): Promise<number> {
  const { print } = options;
  const probe = await probeCriu();
  if (probe.usable === undefined) {
    print('cohort demo needs a CRIU that runs action scripts under runc, and found none:');
    for (const line of probe.rejected) print(`  - ${line}`);
    print(
      'Needed: criu --version >= 3.19 and "criu check" passing on this kernel (install one first in PATH).',
    );
    return 2;
  }
  const criu = probe.usable.path;
  const work = mkdtempSync(join(tmpdir(), 'cohort-demo-'));
  const netns = `cohort-demo-${process.pid}`;
  const socket = join(work, 'cohortd.sock');
  const configPath = join(work, 'cohort.json');
  writeFileSync(
    configPath,
    JSON.stringify(
      {
        runc: options.runc,
        stateDir: join(work, 'state'),
        coordinator: { address: `unix://${socket}` },
      },
      null,
      2,
    ),
  );
  const globals = ['--root', join(work, 'runc'), '--criu', criu];
  const env = { ...process.env, COHORT_CONFIG: configPath };
  let calls = 0;
  // Containers keep runc's stdio, and CRIU cannot dump a host file: /dev/null, and errors via --log.
  const cohort = async (args: string[]): Promise<{ exitCode: number; stderr: string }> => {
    const log = join(work, `cohort-${(calls += 1)}.log`);
    const exitCode = await spawnQuiet(COHORT, [...globals, '--log', log, ...args], env);
    return { exitCode, stderr: existsSync(log) ? readFileSync(log, 'utf8') : '' };
  };

  print(`cohort demo: a coordinated checkpoint and restore of ${DEMO_MEMBERS.length} containers`);
  print(`  criu ${probe.usable.version} at ${criu}; runc at ${options.runc}; work dir ${work}`);
  const coordinator = await startCoordinator({
    listen: [`unix://${socket}`],
    stateDir: join(work, 'cohortd'),
    logger: silentLogger,
  });
  // What cohortd's own agent does on a node: host the members' sessions for bin/cohort.
  const host = startSessionHost({ stateDir: join(work, 'state'), logger: silentLogger });
  await host.ready;
  const client = await connectCoordinator({ address: `unix://${socket}`, connectTimeoutMs: 5_000 });
  try {
    await execa('ip', ['netns', 'add', netns]);
    await execa('ip', ['netns', 'exec', netns, 'ip', 'link', 'set', 'lo', 'up']);
    const names = DEMO_MEMBERS.map((m) => m.name);
    for (const member of DEMO_MEMBERS) {
      const bundle = join(work, member.name);
      mkdirSync(bundle);
      makeDemoBundle(bundle, member, {
        runc: options.runc,
        group: GROUP,
        members: names,
        netnsPath: `/var/run/netns/${netns}`,
        cgroupsPath: `/${netns}-${member.name}`,
      });
      const created = await cohort(['run', '--detach', '--bundle', bundle, member.name]);
      if (created.exitCode !== 0) throw new Error(`cohort run ${member.name}: ${created.stderr}`);
      if (member.listensOn !== undefined) await waitForListener(netns, member.listensOn);
    }
    print(
      `[run] ${names.join(', ')} running in group "${GROUP}"; sender talks to receiver over TCP`,
    );
    await sleep(RUN_SECONDS * 1000);

    const stopCheckpoint = followRound(client, GROUP, 'checkpoint', print);
    const started = Date.now();
    const dumps = await Promise.all(
      DEMO_MEMBERS.map((m) =>
        cohort([
          'checkpoint',
          '--tcp-established',
          '--image-path',
          join(work, m.name, 'image'),
          '--work-path',
          join(work, m.name, 'work'),
          m.name,
        ]),
      ),
    );
    await stopCheckpoint();
    const failed = dumps.findIndex((d) => d.exitCode !== 0);
    if (failed !== -1) throw new Error(`checkpoint failed: ${dumps[failed]?.stderr.trim()}`);
    const epoch = (
      JSON.parse(readFileSync(join(work, 'counter', 'image', 'cohort-manifest.json'), 'utf8')) as {
        epoch: number;
      }
    ).epoch;
    const atCheckpoint = new Map(
      DEMO_MEMBERS.flatMap((m) =>
        m.logs.map((log) => [log, lastNumber(join(work, m.name, 'rootfs', log))] as const),
      ),
    );
    print(
      `[checkpoint] epoch ${epoch} committed in ${Date.now() - started} ms; every member was dumped and stopped`,
    );
    print(`  at the checkpoint: ${[...atCheckpoint].map(([log, n]) => `${log}=${n}`).join(' ')}`);
    const history = await client.history(GROUP);
    print(
      `  coordinator records epoch ${epoch} as ${history.find((r) => r.epoch === epoch)?.outcome ?? 'unknown'}`,
    );

    const stopRestore = followRound(client, GROUP, 'restore', print);
    const restoreStarted = Date.now();
    const restores = await Promise.all(
      DEMO_MEMBERS.map((m) =>
        cohort([
          'restore',
          '--detach',
          '--tcp-established',
          '--bundle',
          join(work, m.name),
          '--image-path',
          join(work, m.name, 'image'),
          '--work-path',
          join(work, m.name, 'work'),
          m.name,
        ]),
      ),
    );
    await stopRestore();
    const restoreFailed = restores.findIndex((r) => r.exitCode !== 0);
    if (restoreFailed !== -1)
      throw new Error(`restore failed: ${restores[restoreFailed]?.stderr.trim()}`);
    print(
      `[restore] all ${DEMO_MEMBERS.length} members restored and resumed together in ${Date.now() - restoreStarted} ms`,
    );
    await sleep(RUN_SECONDS * 1000);

    let ok = true;
    for (const member of DEMO_MEMBERS) {
      for (const log of member.logs) {
        const report = checkSequence(readFileSync(join(work, member.name, 'rootfs', log), 'utf8'));
        const before = atCheckpoint.get(log) ?? 0;
        const good = isUnbroken(report) && (report.last ?? 0) > before;
        ok &&= good;
        const problems = [
          ...report.gaps.map((g) => `missing ${g}`),
          ...report.repeats.map((r) => `repeated ${r}`),
        ];
        print(
          `[verify] ${member.name.padEnd(9)} ${log.padEnd(14)} 1..${before} before, continued to ${report.last ?? '-'}: ${good ? 'no gap, no repeat' : problems.join(', ') || 'did not continue'}`,
        );
      }
    }
    const sent = lastNumber(join(work, 'sender', 'rootfs', 'data', 'sent'));
    const received = lastNumber(join(work, 'receiver', 'rootfs', 'data', 'received'));
    print(
      `[verify] messages: sent ${sent}, received ${received}, none lost or duplicated across the checkpoint`,
    );
    print(ok ? 'demo passed' : 'demo FAILED');
    return ok ? 0 : 1;
  } finally {
    for (const member of DEMO_MEMBERS)
      await execa(
        options.runc,
        [globals[0] as string, globals[1] as string, 'delete', '--force', member.name],
        { reject: false },
      );
    await execa('ip', ['netns', 'delete', netns], { reject: false });
    client.close();
    host.stop();
    await coordinator.stop();
    if (!options.keep) rmSync(work, { recursive: true, force: true });
  }
}

/** Runs with stdio on /dev/null: nothing of ours for a container to hold or for CRIU to dump. */
function spawnQuiet(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal === null ? 1 : 128)));
  });
}

function lastNumber(path: string): number {
  const report = checkSequence(readFileSync(path, 'utf8'));
  return report.last ?? 0;
}

/** Waits until a socket in the namespace listens on the port (state 0A in /proc/net/tcp*). */
async function waitForListener(netns: string, port: number): Promise<void> {
  const local = `:${port.toString(16).toUpperCase().padStart(4, '0')} `;
  for (let attempt = 0; attempt < 200; attempt += 1) {
    // busybox nc -l listens on :: (dual stack), which only /proc/net/tcp6 shows.
    const { stdout } = await execa('ip', [
      'netns',
      'exec',
      netns,
      'cat',
      '/proc/net/tcp',
      '/proc/net/tcp6',
    ]);
    if (stdout.split('\n').some((line) => line.includes(local) && / 0A /.test(line))) return;
    await sleep(25);
  }
  throw new Error(`nothing listens on port ${port} in network namespace ${netns} after 5 s`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
