import { spawn, type ChildProcess } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify } from 'smol-toml';
import { unmountUnder } from './mounts.js';
import { busyboxOciArchive, type ImageRunConfig } from './oci-archive.js';
import { run, runOk, type RunOptions, type RunResult } from './run.js';
import { definedEnv, NODE, requireBuild, RUNC, uniqueId } from './runc.js';

export const CONTAINERD = '/usr/bin/containerd';
export const CTR = '/usr/bin/ctr';
export const CONTAINERD_IMAGE = 'localhost/cohort-busybox:test';
// Snapshotters this host lacks and tracing we never read: off, so startup stays quiet and quick.
const DISABLED_PLUGINS = [
  'io.containerd.snapshotter.v1.btrfs',
  'io.containerd.snapshotter.v1.zfs',
  'io.containerd.snapshotter.v1.devmapper',
  'io.containerd.snapshotter.v1.aufs',
  'io.containerd.internal.v1.tracing',
  'io.containerd.tracing.processor.v1.otlp',
];

/** Why the containerd tier cannot run here, or undefined when it can. */
export function containerdMissing(): string | undefined {
  if (!existsSync(CONTAINERD)) return `${CONTAINERD} is not installed`;
  if (!existsSync(CTR)) return `${CTR} is not installed`;
  if (process.getuid?.() !== 0) return 'containerd tests need root';
  return undefined;
}

export interface Containerd {
  dir: string;
  /** The grpc socket, for ctr --address. */
  address: string;
  /** A namespace of this instance's own, so runc roots and cohort state never collide. */
  namespace: string;
  image: string;
  /** The runc root the shim passes as --root (fixed by containerd-shim-runc-v2). */
  runcRoot: string;
  /** The cohort config containerd (and so the shim and the runtime) runs with. */
  cohortConfig: string;
  /** That config's stateDir: where a session host for the shim's bin/cohort must listen. */
  cohortStateDir: string;
  /** ctr --address <address> -n <namespace> ...args */
  ctr(args: readonly string[], options?: RunOptions): Promise<RunResult>;
  /** The bundle dir the shim made for a container. */
  bundleOf(id: string): string;
  /** Kills every task, removes containers and images, stops containerd, removes its files. */
  stop(): Promise<void>;
}

type Table = Record<string, unknown>;

/** Deep-merges `extra` into `base` (tables merge, everything else replaces). */
export function mergeToml(base: Table, extra: Table): Table {
  const out: Table = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    const current = out[key];
    const bothTables = isTable(current) && isTable(value);
    out[key] = bothTables ? mergeToml(current, value) : value;
  }
  return out;
}

function isTable(value: unknown): value is Table {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date)
  );
}

const CRI_PLUGIN = 'io.containerd.grpc.v1.cri';

export interface ContainerdOptions {
  /** Defaults to one of this instance's own. */
  namespace?: string;
  /** Merged into the base config; configuring the CRI plugin turns it on. Gets the instance dir. */
  config?: (dir: string) => Table;
  /** The busybox image to import, and its run config. */
  image?: string;
  imageRun?: ImageRunConfig;
  /** Readiness beyond `ctr version` answering, such as a plugin's own service. */
  ready?: (address: string) => Promise<boolean>;
}

/** Starts a containerd of its own (state in a temp dir, CRI off unless configured); imports busybox. */
export async function startContainerd(options: ContainerdOptions = {}): Promise<Containerd> {
  requireBuild();
  const dir = mkdtempSync(join(tmpdir(), 'cohort-containerd-'));
  const address = join(dir, 'containerd.sock');
  const namespace = options.namespace ?? uniqueId('cohort');
  const image = options.image ?? CONTAINERD_IMAGE;
  const cohortStateDir = join(dir, 'cohort-state');
  const cohortConfig = join(dir, 'cohort.json');
  writeFileSync(
    cohortConfig,
    JSON.stringify({ runc: RUNC, node: NODE, stateDir: cohortStateDir }, null, 2) + '\n',
  );
  const config = mergeToml(
    {
      version: 2,
      root: join(dir, 'root'),
      state: join(dir, 'state'),
      grpc: { address },
      ttrpc: { address: `${address}.ttrpc` },
      debug: { address: join(dir, 'debug.sock') },
      metrics: { address: '' },
    },
    options.config?.(dir) ?? {},
  );
  const criOn = isTable(config.plugins) && CRI_PLUGIN in config.plugins;
  config.disabled_plugins = [...(criOn ? [] : [CRI_PLUGIN]), ...DISABLED_PLUGINS];
  const configToml = join(dir, 'config.toml');
  writeFileSync(configToml, stringify(config));
  const log = openSync(join(dir, 'containerd.log'), 'w');
  const env = { ...definedEnv(process.env), COHORT_CONFIG: cohortConfig };
  const daemon = spawn(CONTAINERD, ['--config', configToml], { stdio: ['ignore', log, log], env });
  closeSync(log);
  const exited = new Promise<void>((resolve) => daemon.once('exit', () => resolve()));
  daemon.once('error', () => undefined);
  const ctr = (args: readonly string[], options: RunOptions = {}): Promise<RunResult> =>
    run(CTR, ['--address', address, '-n', namespace, ...args], options);
  const instance: Containerd = {
    dir,
    address,
    namespace,
    image,
    runcRoot: join('/run/containerd/runc', namespace),
    cohortConfig,
    cohortStateDir,
    ctr,
    bundleOf: (id) => join(dir, 'state', 'io.containerd.runtime.v2.task', namespace, id),
    stop: () => stopContainerd(instance, daemon, exited),
  };
  try {
    await waitForSocket(instance, daemon, options.ready);
    const archive = await busyboxOciArchive(image, options.imageRun);
    await runOk(CTR, ['--address', address, '-n', namespace, 'images', 'import', archive]);
  } catch (error) {
    await instance.stop();
    throw error;
  }
  return instance;
}

async function waitForSocket(
  instance: Containerd,
  daemon: ChildProcess,
  ready: (address: string) => Promise<boolean> = async () => true,
): Promise<void> {
  // Polls readiness, bounded; a daemon that never answers fails setup with its log.
  for (let attempt = 0; attempt < 200; attempt += 1) {
    if (daemon.exitCode !== null) break;
    if (
      existsSync(instance.address) &&
      (await run(CTR, ['--address', instance.address, 'version'])).exitCode === 0 &&
      (await ready(instance.address))
    ) {
      return;
    }
    await sleep(50);
  }
  throw new Error(
    `containerd did not start:\n${readFileSync(join(instance.dir, 'containerd.log'), 'utf8')}`,
  );
}

async function stopContainerd(
  instance: Containerd,
  daemon: ChildProcess,
  exited: Promise<void>,
): Promise<void> {
  if (daemon.exitCode === null) {
    const tasks = await instance.ctr(['task', 'ls', '-q']);
    for (const id of tasks.stdout.split('\n').filter(Boolean)) {
      await instance.ctr(['task', 'kill', '-s', 'SIGKILL', id]);
      await instance.ctr(['task', 'rm', '-f', id]);
    }
    const containers = await instance.ctr(['containers', 'ls', '-q']);
    for (const id of containers.stdout.split('\n').filter(Boolean)) {
      await instance.ctr(['containers', 'rm', id]);
    }
    await instance.ctr(['images', 'rm', instance.image]);
    daemon.kill('SIGTERM');
    await exited;
  }
  // Shims outlive containerd; only ours carry our socket in their argv.
  for (const pid of shimPids(instance.address)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
  await unmountUnder(instance.dir);
  rmSync(instance.dir, { recursive: true, force: true });
  try {
    rmdirSync(instance.runcRoot);
  } catch {
    // Never made (no container ran) or not empty: runc delete did not run; leave it for inspection.
  }
}

/** Pids of containerd-shim processes started for the containerd at `address`. */
export function shimPids(address: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    const args = cmdline.split('\0');
    if (args[0]?.includes('containerd-shim') && args.includes(address)) pids.push(Number(name));
  }
  return pids;
}
