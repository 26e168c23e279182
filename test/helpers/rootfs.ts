import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUSYBOX, makeBusyboxRootfs } from '../../src/demo/busybox-rootfs.js';

export { BUSYBOX };
const RUNC_FOR_SPEC = '/usr/sbin/runc';
const CACHE_DIR = join(tmpdir(), 'cohort-test-rootfs');

/** An OCI mount as config.json holds it. */
export interface OciMount {
  destination: string;
  source?: string;
  type?: string;
  options?: string[];
}

export interface BundleOptions {
  args: string[];
  /** process.terminal; false unless given. */
  terminal?: boolean;
  /** `K=V` entries added to (or replacing by key) runc spec's PATH and TERM. */
  env?: string[];
  annotations?: Record<string, string>;
  /** Added after runc spec's default mounts. */
  mounts?: OciMount[];
  /** Own network namespace (runc spec's default); false shares the host's. */
  netns?: boolean;
  hostname?: string;
  /** Keep runc spec's RLIMIT_NOFILE 1024; false drops it so the container inherits runc's limits. */
  rlimits?: boolean;
  /** Last word on the generated spec, for fields the options above do not cover. */
  edit?: (spec: OciSpec) => void;
  /** Directory to create the bundle in; a fresh temp dir when absent (the caller removes it). */
  parent?: string;
}

/** The parts of config.json tests touch; everything else is kept as runc spec wrote it. */
export interface OciSpec {
  process: {
    terminal: boolean;
    args: string[];
    env: string[];
    rlimits?: unknown[];
    [key: string]: unknown;
  };
  root: { path: string; readonly: boolean };
  hostname?: string;
  mounts: OciMount[];
  annotations?: Record<string, string>;
  linux: { namespaces: { type: string; path?: string }[]; [key: string]: unknown };
  [key: string]: unknown;
}

/** A busybox-static rootfs, built once per machine and busybox version, shared read-only. */
export function busyboxRootfs(): string {
  const stamp = busyboxStamp();
  const dir = join(CACHE_DIR, stamp, 'rootfs');
  if (existsSync(join(dir, '.complete'))) return dir;
  mkdirSync(join(CACHE_DIR, stamp), { recursive: true });
  // Built aside and renamed, so concurrent test runs never see half a rootfs.
  const building = mkdtempSync(join(CACHE_DIR, stamp, 'building-'));
  const root = join(building, 'rootfs');
  makeBusyboxRootfs(root, BUSYBOX);
  writeFileSync(join(root, '.complete'), stamp + '\n');
  try {
    renameSync(root, dir);
  } catch (error) {
    // Another run finished first: its rootfs is as good as ours.
    if (!existsSync(join(dir, '.complete'))) throw error;
  }
  rmSync(building, { recursive: true, force: true });
  return dir;
}

/** The rootfs as an uncompressed tar (for `podman import` and image layers), cached beside it. */
export function busyboxRootfsTar(): string {
  const rootfs = busyboxRootfs();
  const tar = join(rootfs, '..', 'rootfs.tar');
  if (existsSync(tar)) return tar;
  const temp = `${tar}.${process.pid}.tmp`;
  // Fixed owner and sorted names keep the layer digest stable between runs.
  execFileSync('tar', [
    '--sort=name',
    '--owner=0',
    '--group=0',
    '--numeric-owner',
    '--mtime=@0',
    '--exclude=./.complete',
    '-C',
    rootfs,
    '-cf',
    temp,
    '.',
  ]);
  renameSync(temp, tar);
  return tar;
}

/** A bundle dir: a private copy of the busybox rootfs and a config.json from `runc spec`, edited. */
export function makeBundle(options: BundleOptions): string {
  const bundle = mkdtempSync(join(options.parent ?? tmpdir(), 'bundle-'));
  // A private copy: containers write to their rootfs and must not see each other's files.
  execFileSync('cp', ['-a', busyboxRootfs(), join(bundle, 'rootfs')]);
  rmSync(join(bundle, 'rootfs', '.complete'));
  execFileSync(RUNC_FOR_SPEC, ['spec'], { cwd: bundle });
  const path = join(bundle, 'config.json');
  const spec = JSON.parse(readFileSync(path, 'utf8')) as OciSpec;
  spec.root.readonly = false;
  spec.process.terminal = options.terminal ?? false;
  spec.process.args = options.args;
  spec.hostname = options.hostname ?? 'cohort-test';
  for (const entry of options.env ?? []) {
    const key = entry.split('=')[0] + '=';
    spec.process.env = [...spec.process.env.filter((e) => !e.startsWith(key)), entry];
  }
  if (options.annotations !== undefined) spec.annotations = { ...options.annotations };
  if (options.mounts !== undefined) spec.mounts = [...spec.mounts, ...options.mounts];
  if (options.netns === false) {
    spec.linux.namespaces = spec.linux.namespaces.filter((ns) => ns.type !== 'network');
  }
  if (options.rlimits === false) delete spec.process.rlimits;
  options.edit?.(spec);
  writeFileSync(path, JSON.stringify(spec, null, '\t'));
  return bundle;
}

/** Reads a bundle's config.json. */
export function readSpec(bundle: string): OciSpec {
  return JSON.parse(readFileSync(join(bundle, 'config.json'), 'utf8')) as OciSpec;
}

function busyboxStamp(): string {
  const stat = statSync(BUSYBOX);
  return `busybox-${stat.size}-${Math.floor(stat.mtimeMs)}`;
}
