import type { SessionHost } from '../../../src/runtime/host/session-host.js';
import { startTestSessionHost } from '../../helpers/session-host.js';
import { spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmdirSync,
} from 'node:fs';
import { join } from 'node:path';
import { checkSequence, type SequenceReport } from '../../../src/demo/sequence.js';
import { ANNOTATION } from '../../../src/spec/annotations.js';
import { containerCondition, type FreezerState } from '../../helpers/cgroup.js';
import { COHORT_BIN, createRuntimeSandbox, type RuntimeSandbox } from '../../helpers/runc.js';

/** Appends 1, 2, 3, … to a file in its rootfs ten times a second: gaps and repeats show. */
export const COUNTER = 'i=0; while :; do i=$((i+1)); echo $i >> /tmp/count; sleep 0.1; done';

export interface RealMember {
  name: string;
  id: string;
  bundle: string;
  /** The counter's log, seen from the host. */
  countFile: string;
  cgroupsPath: string;
}

export interface RealGroup {
  sandbox: RuntimeSandbox;
  /** The session host of the sandbox's state dir, as the node's agent would run it. */
  host: SessionHost;
  group: string;
  criu: string;
  members: RealMember[];
  cleanup(): Promise<void>;
}

export interface RealGroupOptions {
  socket: string;
  criu: string;
  size?: number;
  /** This member's container gets a host file as stderr, which CRIU cannot dump. */
  stderrOnHostFile?: string;
}

/** What a caller of the runtime sees: the exit code and the errors from `--log` (runc's JSON lines). */
export interface CohortCall {
  exitCode: number;
  errors: string[];
}

let calls = 0;

/**
 * A group of real containers started through bin/cohort (`run --detach`), each counting. Their
 * stdio is /dev/null: a detached container keeps runc's stdio, and CRIU cannot dump a host file.
 */
export async function startRealGroup(options: RealGroupOptions): Promise<RealGroup> {
  const sandbox = createRuntimeSandbox({
    config: {
      coordinator: { address: `unix://${options.socket}`, connectTimeoutMs: 5_000 },
      session: { heartbeatMs: 250 },
    },
  });
  const host = await startTestSessionHost(sandbox.stateDir);
  const group = `g${Math.random().toString(36).slice(2, 8)}`;
  const names = Array.from({ length: options.size ?? 3 }, (_, i) => `m${i}`);
  const members: RealMember[] = [];
  const fixture: RealGroup = {
    sandbox,
    host,
    group,
    criu: options.criu,
    members,
    cleanup: () => cleanupGroup(fixture),
  };
  try {
    for (const name of names) {
      const id = sandbox.id(name);
      const cgroupsPath = `/cohort-criu-${id}`;
      const bundle = sandbox.bundle({
        args: ['sh', '-c', COUNTER],
        annotations: {
          [ANNOTATION.group]: group,
          [ANNOTATION.member]: name,
          [ANNOTATION.members]: names.join(','),
        },
        edit: (spec) => {
          spec.linux.cgroupsPath = cgroupsPath;
        },
      });
      const member = { name, id, bundle, countFile: join(bundle, 'rootfs/tmp/count'), cgroupsPath };
      members.push(member);
      const stderr =
        options.stderrOnHostFile === name ? join(sandbox.dir, `${id}.stderr`) : undefined;
      const started = await cohortCall(fixture, ['run', '--detach', '--bundle', bundle, id], {
        stderr,
      });
      if (started.exitCode !== 0) throw new Error(`cohort run ${id}: ${started.errors.join('; ')}`);
    }
    // Every counter has written: the containers are past their start.
    for (const member of members) await waitForCount(member, 2);
  } catch (error) {
    await fixture.cleanup();
    throw error;
  }
  return fixture;
}

/**
 * bin/cohort --root R --criu C --log L --log-format json ...args, stdio on /dev/null (or stderr
 * on a host file when asked). Never waits on a pipe a container could hold.
 */
export function cohortCall(
  fixture: RealGroup,
  args: readonly string[],
  options: { stderr?: string } = {},
): Promise<CohortCall> {
  calls += 1;
  const log = join(fixture.sandbox.dir, `cohort-${calls}.log`);
  const argv = [
    '--root',
    fixture.sandbox.root,
    '--criu',
    fixture.criu,
    '--log',
    log,
    '--log-format',
    'json',
    ...args,
  ];
  const stderr = options.stderr === undefined ? 'ignore' : openSync(options.stderr, 'a');
  return new Promise((resolve, reject) => {
    const child = spawn(COHORT_BIN, argv, {
      env: fixture.sandbox.env,
      stdio: ['ignore', 'ignore', stderr],
    });
    if (typeof stderr === 'number') closeSync(stderr);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      resolve({ exitCode: code ?? (signal === null ? 1 : 128), errors: logErrors(log) });
    });
  });
}

/** The messages of the `error` lines in a runc JSON log. */
export function logErrors(path: string): string[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { level?: string; msg?: string })
    .filter((entry) => entry.level === 'error')
    .map((entry) => entry.msg ?? '');
}

export function imageDir(fixture: RealGroup, member: RealMember, label: string): string {
  return join(fixture.sandbox.dir, `${member.name}-${label}`);
}

/** `cohort checkpoint` of every given member at once, as engines on several nodes would. */
export function checkpointAll(
  fixture: RealGroup,
  members: readonly RealMember[],
  options: { label: string; leaveRunning?: boolean },
): Promise<CohortCall[]> {
  return Promise.all(
    members.map((member) => {
      const image = imageDir(fixture, member, options.label);
      return cohortCall(fixture, [
        'checkpoint',
        ...(options.leaveRunning === true ? ['--leave-running'] : []),
        '--image-path',
        image,
        '--work-path',
        `${image}-work`,
        member.id,
      ]);
    }),
  );
}

/** `cohort restore --detach` of every given member at once from the named checkpoint. */
export function restoreAll(
  fixture: RealGroup,
  members: readonly RealMember[],
  options: { label: string },
): Promise<CohortCall[]> {
  return Promise.all(
    members.map((member) => {
      const image = imageDir(fixture, member, options.label);
      const work = `${image}-restore-${(calls += 1)}`;
      mkdirSync(work);
      return cohortCall(fixture, [
        'restore',
        '--detach',
        '--bundle',
        member.bundle,
        '--image-path',
        image,
        '--work-path',
        work,
        member.id,
      ]);
    }),
  );
}

/** What a user checks on a container: is it there, running, and not frozen? */
export function memberStatus(
  fixture: RealGroup,
  member: RealMember,
): Promise<{ status: string; freezer?: FreezerState }> {
  return containerCondition(fixture.sandbox.root, member.id);
}

export function counterLog(member: RealMember): SequenceReport {
  return checkSequence(existsSync(member.countFile) ? readFileSync(member.countFile, 'utf8') : '');
}

/** Waits (bounded) until a member's counter reaches `value`; a safety net, never an assertion. */
export async function waitForCount(member: RealMember, value: number): Promise<void> {
  for (let attempt = 0; attempt < 300; attempt += 1) {
    if ((counterLog(member).last ?? 0) >= value) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the counter of ${member.id} never reached ${value}: ${counterLog(member).last}`);
}

/** Pids of processes whose root is this member's rootfs: a restored tree that still lives. */
export function processesIn(member: RealMember): number[] {
  const rootfs = join(member.bundle, 'rootfs');
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readlinkSync(`/proc/${name}/root`) === rootfs) pids.push(Number(name));
    } catch {
      // Exited while we looked, or a kernel thread.
    }
  }
  return pids;
}

async function cleanupGroup(fixture: RealGroup): Promise<void> {
  fixture.host.stop();
  await fixture.sandbox.cleanup();
  // runc removes a container's cgroups at delete; a dump or a failed restore may leave them.
  for (const member of fixture.members) {
    for (const controller of readdirSync('/sys/fs/cgroup')) {
      const dir = join('/sys/fs/cgroup', controller, member.cgroupsPath);
      try {
        if (existsSync(dir)) rmdirSync(dir);
      } catch {
        // Still busy: left for inspection rather than killed blindly.
      }
    }
  }
}
