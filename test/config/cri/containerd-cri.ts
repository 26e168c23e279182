import { spawn, type ChildProcess } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse, stringify } from 'smol-toml';
import { CONTAINERD, CTR, shimPids } from '../../helpers/containerd.js';
import { unmountUnder } from '../../helpers/mounts.js';
import { busyboxOciArchive } from '../../helpers/oci-archive.js';
import { run, runOk } from '../../helpers/run.js';
import { definedEnv, NODE, RUNC } from '../../helpers/runc.js';
import { connectCri, type CriClient } from './cri-client.js';

/** CRI's own namespace: the CRI plugin always works in k8s.io. */
export const CRI_NAMESPACE = 'k8s.io';
export const SANDBOX_IMAGE = 'localhost/cohort-sandbox:test';
/** The pod sandbox must keep running, as pause does: busybox whose command sleeps. */
const SANDBOX_RUN = { Env: ['PATH=/bin'], Cmd: ['/bin/sleep', '2147483647'] };

export interface CriContainerd {
  dir: string;
  address: string;
  cohortStateDir: string;
  cri: CriClient;
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

/**
 * A containerd of its own with the CRI plugin on, its config being a base (private dirs, a local
 * sandbox image) merged with `snippet`: a TOML text such as config/containerd/cohort.toml.
 */
export async function startCriContainerd(snippet: Table): Promise<CriContainerd> {
  const dir = mkdtempSync(join(tmpdir(), 'cohort-cri-'));
  const address = join(dir, 'containerd.sock');
  const cohortStateDir = join(dir, 'cohort-state');
  const cohortConfig = join(dir, 'cohort.json');
  writeFileSync(
    cohortConfig,
    JSON.stringify({ runc: RUNC, node: NODE, stateDir: cohortStateDir }) + '\n',
  );
  for (const sub of ['cni-bin', 'cni-conf']) mkdirSync(join(dir, sub));
  const base: Table = {
    version: 2,
    root: join(dir, 'root'),
    state: join(dir, 'state'),
    grpc: { address },
    ttrpc: { address: `${address}.ttrpc` },
    debug: { address: join(dir, 'debug.sock') },
    metrics: { address: '' },
    disabled_plugins: [
      'io.containerd.snapshotter.v1.btrfs',
      'io.containerd.snapshotter.v1.zfs',
      'io.containerd.snapshotter.v1.devmapper',
      'io.containerd.snapshotter.v1.aufs',
      'io.containerd.internal.v1.tracing',
      'io.containerd.tracing.processor.v1.otlp',
    ],
    plugins: {
      'io.containerd.grpc.v1.cri': {
        sandbox_image: SANDBOX_IMAGE,
        disable_tcp_service: true,
        // No CAP_SYS_RESOURCE here: the sandbox's oom_score_adj (-998) must be clamped to ours.
        restrict_oom_score_adj: true,
        stream_server_address: '127.0.0.1',
        stream_server_port: '0',
        cni: { bin_dir: join(dir, 'cni-bin'), conf_dir: join(dir, 'cni-conf') },
        // As `containerd config default` writes it: the snippet adds a runtime beside runc.
        containerd: {
          snapshotter: 'overlayfs',
          default_runtime_name: 'runc',
          runtimes: { runc: { runtime_type: 'io.containerd.runc.v2' } },
        },
      },
    },
  };
  const config = join(dir, 'config.toml');
  writeFileSync(config, stringify(mergeToml(base, snippet)));
  const log = openSync(join(dir, 'containerd.log'), 'w');
  const env = { ...definedEnv(process.env), COHORT_CONFIG: cohortConfig };
  const daemon = spawn(CONTAINERD, ['--config', config], { stdio: ['ignore', log, log], env });
  closeSync(log);
  const exited = new Promise<void>((resolve) => daemon.once('exit', () => resolve()));
  daemon.once('error', () => undefined);
  const cri = connectCri(address);
  const instance: CriContainerd = {
    dir,
    address,
    cohortStateDir,
    cri,
    stop: () => stop(instance, daemon, exited),
  };
  try {
    await waitUntilServing(instance, daemon);
    const archive = await busyboxOciArchive(SANDBOX_IMAGE, SANDBOX_RUN);
    await runOk(CTR, ['--address', address, '-n', CRI_NAMESPACE, 'images', 'import', archive]);
  } catch (error) {
    await instance.stop();
    throw error;
  }
  return instance;
}

async function waitUntilServing(instance: CriContainerd, daemon: ChildProcess): Promise<void> {
  // Bounded readiness polling; a daemon that never answers fails setup with its log.
  for (let attempt = 0; attempt < 200; attempt += 1) {
    if (daemon.exitCode !== null) break;
    if (existsSync(instance.address)) {
      try {
        await instance.cri.call('Version', { version: 'v1' });
        return;
      } catch {
        // The CRI service registers a moment after the socket appears.
      }
    }
    await sleep(50);
  }
  throw new Error(
    `containerd (CRI) did not start:\n${readFileSync(join(instance.dir, 'containerd.log'), 'utf8')}`,
  );
}

async function stop(
  instance: CriContainerd,
  daemon: ChildProcess,
  exited: Promise<void>,
): Promise<void> {
  instance.cri.close();
  if (daemon.exitCode === null) {
    const ctr = (args: string[]) =>
      run(CTR, ['--address', instance.address, '-n', CRI_NAMESPACE, ...args]);
    const tasks = await ctr(['task', 'ls', '-q']);
    for (const id of tasks.stdout.split('\n').filter(Boolean)) {
      await ctr(['task', 'kill', '-s', 'SIGKILL', id]);
      await ctr(['task', 'rm', '-f', id]);
    }
    const containers = await ctr(['containers', 'ls', '-q']);
    for (const id of containers.stdout.split('\n').filter(Boolean))
      await ctr(['containers', 'rm', id]);
    daemon.kill('SIGTERM');
    await exited;
  }
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
    // The shim's runc root for CRI; left alone when another containerd still has containers there.
    rmdirSync(`/run/containerd/runc/${CRI_NAMESPACE}`);
  } catch {
    // Not empty, or never made.
  }
}

/** The TOML parser the config tests share. */
export { parse as parseToml };
