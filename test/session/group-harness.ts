import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ANNOTATION } from '../../src/spec/annotations.js';
import { containerCondition, type FreezerState } from '../helpers/cgroup.js';
import {
  COHORT_BIN,
  createRuntimeSandbox,
  run,
  runToFiles,
  type RunResult,
  type RuntimeSandbox,
} from '../helpers/runc.js';
import { startTestSessionHost } from '../helpers/session-host.js';

const FAKES = fileURLToPath(new URL('./fakes/', import.meta.url));
/** A fake runc that plays CRIU's part (see the file's header), and a fake criu --version. */
export const FAKE_RUNC_CRIU = join(FAKES, 'fake-runc-criu.mjs');
export const FAKE_CRIU = join(FAKES, 'fake-criu');

export interface Member {
  name: string;
  id: string;
  bundle: string;
  image: string;
}

export interface GroupFixture {
  sandbox: RuntimeSandbox;
  /** The sandbox's config with the fake runc that plays CRIU's part, for checkpoint and restore. */
  fakeCriuConfig: string;
  group: string;
  members: Member[];
  /** Where the fake logs every CRIU event of every member. */
  eventLog: string;
  /** Stops the session host the fixture started (cleanup stops it too). */
  cleanupHost(): Promise<void>;
  cleanup(): Promise<void>;
}

export interface GroupOptions {
  size: number;
  socket: string;
  /** How members declare the group: names, a count, or 'none' for plain containers in no group. */
  declare?: 'members' | 'size' | 'none';
  netns?: boolean;
  reconnectWindowMs?: number;
  /** The session host: one in this process (default, with `poolSize` ready channels), or none. */
  host?: 'none' | { poolSize: number };
}

/** Creates a group of running containers through cohort, each in its own sandboxed root. */
export async function startGroup(options: GroupOptions): Promise<GroupFixture> {
  const sandbox = createRuntimeSandbox({
    config: {
      coordinator: {
        address: `unix://${options.socket}`,
        connectTimeoutMs: 2_000,
        reconnectWindowMs: options.reconnectWindowMs ?? 1_000,
      },
      session: { heartbeatMs: 200 },
    },
  });
  const host =
    options.host === 'none'
      ? undefined
      : await startTestSessionHost(sandbox.stateDir, options.host?.poolSize);
  const group = `g${Math.random().toString(36).slice(2, 8)}`;
  const names = Array.from({ length: options.size }, (_, i) => `m${i}`);
  const members: Member[] = [];
  for (const name of names) {
    const annotations: Record<string, string> =
      options.declare === 'none' ? {} : { [ANNOTATION.group]: group, [ANNOTATION.member]: name };
    if ((options.declare ?? 'members') === 'members')
      annotations[ANNOTATION.members] = names.join(',');
    if (options.declare === 'size') annotations[ANNOTATION.size] = String(options.size);
    const bundle = sandbox.bundle({
      args: ['sh', '-c', 'i=0; while :; do i=$((i+1)); echo $i > /tmp/count; sleep 0.05; done'],
      annotations,
      netns: options.netns ?? true,
    });
    const id = sandbox.id(name);
    const created = await sandbox.create('cohort', id, bundle);
    if (created.exitCode !== 0) throw new Error(`create ${id}: ${created.stderr}`);
    const started = await sandbox.cohort(['start', id]);
    if (started.exitCode !== 0) throw new Error(`start ${id}: ${started.stderr}`);
    const image = join(sandbox.dir, `${name}-image`);
    mkdirSync(image);
    members.push({ name, id, bundle, image });
  }
  const fakeCriuConfig = join(sandbox.dir, 'fake-criu.json');
  const config = JSON.parse(readFileSync(sandbox.configPath, 'utf8')) as Record<string, unknown>;
  writeFileSync(fakeCriuConfig, JSON.stringify({ ...config, runc: FAKE_RUNC_CRIU }, null, 2));
  return {
    sandbox,
    fakeCriuConfig,
    group,
    members,
    eventLog: join(sandbox.dir, 'criu-events.log'),
    cleanupHost: async () => host?.stop(),
    cleanup: async () => {
      host?.stop();
      await sandbox.cleanup();
    },
  };
}

/** Per-member environment additions: the fault a member's CRIU (or runc) should have. */
export type Faults = Record<string, Record<string, string>>;

function memberEnv(fixture: GroupFixture, member: Member, faults: Faults): Record<string, string> {
  return {
    ...fixture.sandbox.env,
    COHORT_CONFIG: fixture.fakeCriuConfig,
    FAKE_CRIU_LOG: fixture.eventLog,
    ...(faults[member.name] ?? {}),
  };
}

/** `cohort checkpoint` of the given members at once, as engines on several nodes would. */
export function checkpointMembers(
  fixture: GroupFixture,
  members: readonly Member[],
  options: { leaveRunning?: boolean; faults?: Faults } = {},
): Promise<RunResult[]> {
  return Promise.all(
    members.map((member) =>
      run(
        COHORT_BIN,
        [
          '--root',
          fixture.sandbox.root,
          '--criu',
          FAKE_CRIU,
          'checkpoint',
          '--image-path',
          member.image,
          '--work-path',
          member.image,
          ...(options.leaveRunning ? ['--leave-running'] : []),
          member.id,
        ],
        { env: memberEnv(fixture, member, options.faults ?? {}), timeoutMs: 30_000 },
      ),
    ),
  );
}

/**
 * `cohort restore --detach` of the given members at once. Output goes to files: a restored
 * container keeps runc's stdio, and would hold a pipe of ours open for its whole life.
 */
export function restoreMembers(
  fixture: GroupFixture,
  members: readonly Member[],
  options: { faults?: Faults } = {},
): Promise<RunResult[]> {
  return Promise.all(
    members.map((member) =>
      runToFiles(
        COHORT_BIN,
        [
          '--root',
          fixture.sandbox.root,
          '--criu',
          FAKE_CRIU,
          'restore',
          '--detach',
          '--bundle',
          member.bundle,
          '--image-path',
          member.image,
          '--work-path',
          member.image,
          member.id,
        ],
        memberEnv(fixture, member, options.faults ?? {}),
        join(fixture.sandbox.dir, `${member.name}.restore-${Date.now()}`),
      ),
    ),
  );
}

export interface CriuEvent {
  id: string;
  event: string;
  code: number;
  at: number;
}

export function readEvents(fixture: GroupFixture): CriuEvent[] {
  if (!existsSync(fixture.eventLog)) return [];
  return readFileSync(fixture.eventLog, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [id = '', event = '', code = '0', at = '0'] = line.split(' ');
      return { id, event, code: Number(code), at: Number(at) };
    });
}

/** What a user checks after a checkpoint: is each container there, running, and not frozen? */
export function containerStatus(
  fixture: GroupFixture,
  member: Member,
): Promise<{ status: string; freezer?: FreezerState }> {
  return containerCondition(fixture.sandbox.root, member.id);
}
