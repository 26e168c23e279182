import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { removeCohortStateFor } from './cohort-state.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unmountUnder } from './mounts.js';
import { busyboxRootfsTar } from './rootfs.js';
import { run, runOk, type RunOptions, type RunResult } from './run.js';
import { COHORT_BIN, definedEnv, requireBuild } from './runc.js';

export const PODMAN = '/usr/bin/podman';
/** The image every podman test runs, imported from the busybox rootfs. */
export const PODMAN_IMAGE = 'localhost/cohort-busybox:test';
/** podman never passes --root, so its containers live in runc's default root. */
export const PODMAN_RUNC_ROOT = '/run/runc';

/** Why the podman tier cannot run here, or undefined when it can. */
export function podmanMissing(): string | undefined {
  if (!existsSync(PODMAN)) return `${PODMAN} is not installed`;
  if (process.getuid?.() !== 0) return 'podman tests need root';
  return undefined;
}

export interface PodmanEnv {
  dir: string;
  /** The test's environment plus CONTAINERS_CONF and CONTAINERS_STORAGE_CONF for this env. */
  env: Record<string, string>;
  image: string;
  /** The runtime passed as --runtime (bin/cohort unless told otherwise). */
  runtime: string;
  /** podman --runtime <runtime> ...args, with this env's config and storage. */
  podman(args: readonly string[], options?: RunOptions): Promise<RunResult>;
  /** The bundle dir (holding config.json) podman made for a container. */
  bundleOf(nameOrId: string): Promise<string>;
  /** Removes every container, the storage, and cohort's files for these containers. */
  cleanup(): Promise<void>;
}

/**
 * A podman with private state (design.md §5): cgroupfs, file events, k8s-file logs, the
 * nofile/nproc limits runc can set here, no network, and storage in a temp dir.
 */
export async function createPodmanEnv(
  options: {
    runtime?: string;
    /** List cohort in runtime_supports_json, so conmon adds --log-format=json --log <file>. */
    runtimeSupportsJson?: boolean;
  } = {},
): Promise<PodmanEnv> {
  requireBuild();
  const dir = mkdtempSync(join(tmpdir(), 'cohort-podman-'));
  const runtime = options.runtime ?? COHORT_BIN;
  for (const sub of ['tmp', 'volumes', 'graph', 'run']) mkdirSync(join(dir, sub));
  const containersConf = join(dir, 'containers.conf');
  writeFileSync(
    containersConf,
    [
      '[containers]',
      'default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]',
      'log_driver = "k8s-file"',
      'netns = "none"',
      '[engine]',
      ...(options.runtimeSupportsJson === true
        ? ['runtime_supports_json = ["cohort", "runc", "crun"]']
        : []),
      'cgroup_manager = "cgroupfs"',
      'events_logger = "file"',
      `events_logfile_path = "${join(dir, 'events.log')}"`,
      `tmp_dir = "${join(dir, 'tmp')}"`,
      `volume_path = "${join(dir, 'volumes')}"`,
      '',
    ].join('\n'),
  );
  const storageConf = join(dir, 'storage.conf');
  writeFileSync(
    storageConf,
    [
      '[storage]',
      'driver = "overlay"',
      `graphroot = "${join(dir, 'graph')}"`,
      `runroot = "${join(dir, 'run')}"`,
      '',
    ].join('\n'),
  );
  const env: Record<string, string> = {
    ...definedEnv(process.env),
    CONTAINERS_CONF: containersConf,
    CONTAINERS_STORAGE_CONF: storageConf,
  };
  const podman = (args: readonly string[], runOptions: RunOptions = {}): Promise<RunResult> =>
    run(PODMAN, ['--runtime', runtime, ...args], { env, ...runOptions });
  await runOk(PODMAN, ['import', '-q', busyboxRootfsTar(), PODMAN_IMAGE], { env });
  return {
    dir,
    env,
    image: PODMAN_IMAGE,
    runtime,
    podman,
    async bundleOf(nameOrId) {
      const inspected = await runOk(
        PODMAN,
        ['inspect', '--format', '{{.OCIConfigPath}}', nameOrId],
        { env },
      );
      return inspected.stdout.trim().replace(/\/config\.json$/, '');
    },
    async cleanup() {
      await podman(['rm', '--all', '--force', '--time', '0']);
      // conmon runs podman's exit command after a container ends; it would recreate the storage.
      await waitForProcessesUsing(dir);
      await podman(['system', 'reset', '--force']);
      await waitForProcessesUsing(dir);
      removeCohortStateFor(dir);
      await unmountUnder(dir);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Pids of processes whose argv mentions `dir` (conmon and podman's exit commands for this env). */
export function processesUsing(dir: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // Zombies keep their argv but are gone for our purposes.
      if (/\) Z /.test(stat)) continue;
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(dir)) pids.push(Number(name));
    } catch {
      // Exited while we looked.
    }
  }
  return pids;
}

/** Waits (bounded) for this env's processes to end, then kills the ones left: they are ours. */
async function waitForProcessesUsing(dir: string): Promise<void> {
  for (let attempt = 0; attempt < 200 && processesUsing(dir).length > 0; attempt += 1)
    await sleep(50);
  for (const pid of processesUsing(dir)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
}
