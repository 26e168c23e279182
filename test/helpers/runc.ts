import { spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeBundle, type BundleOptions } from './rootfs.js';
import { run, type RunOptions, type RunResult } from './run.js';

export { run, runOk, type RunOptions, type RunResult } from './run.js';

/** The repository checkout the tests run from. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The front door under test. */
export const COHORT_BIN = join(REPO_ROOT, 'bin', 'cohort');
/** The real runc cohort stands in for. */
export const RUNC = '/usr/sbin/runc';
/** The Node.js running the tests; the front door is pointed at it. */
export const NODE = process.execPath;
/** What `npm run build` must have produced before bin/cohort can intercept anything. */
export const RUNTIME_ENTRY = join(REPO_ROOT, 'dist', 'bundle', 'runtime.mjs');

/** Fails fast with the fix when bin/cohort has no built Node half to run. */
export function requireBuild(): void {
  if (!existsSync(RUNTIME_ENTRY)) {
    throw new Error(`${RUNTIME_ENTRY} is missing: run "npm run build" before these tests`);
  }
}

let counter = 0;
/** A container id no other test (or concurrent test run) uses; valid for runc and cgroup paths. */
export function uniqueId(prefix = 'ct'): string {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Masks runc's logrus time field, the one part of an error line that differs between two calls. */
export function maskTime(text: string): string {
  return text
    .replace(/time="[^"]*"/g, 'time="<time>"')
    .replace(/"time":"[^"]*"/g, '"time":"<time>"');
}

export interface SandboxOptions {
  /** The cohort config: an object written as JSON, or raw text (to test broken files). */
  config?: Record<string, unknown> | string;
}

/** One test's private runc root, cohort config and state dir; cleanup deletes every container. */
export interface RuntimeSandbox {
  dir: string;
  /** runc's --root for this sandbox. */
  root: string;
  /** cohort's stateDir (from the config written for this sandbox). */
  stateDir: string;
  configPath: string;
  /** The test's environment plus COHORT_CONFIG pointing at this sandbox's config. */
  env: Record<string, string>;
  /** A fresh container id, deleted (with -f) at cleanup. */
  id(prefix?: string): string;
  /** makeBundle inside the sandbox dir. */
  bundle(options: BundleOptions): string;
  /** bin/cohort --root <root> ...args */
  cohort(args: readonly string[], options?: RunOptions): Promise<RunResult>;
  /** runc --root <root> ...args */
  runc(args: readonly string[], options?: RunOptions): Promise<RunResult>;
  /**
   * `create` of a detached container through cohort or runc. The container's stdio goes to a
   * file (read into stdout/stderr): a container holding our pipes would keep the call open.
   */
  create(
    via: 'cohort' | 'runc',
    id: string,
    bundle: string,
    extraArgs?: readonly string[],
  ): Promise<RunResult>;
  /** Where cohort writes a container's CRIU config for this sandbox's root. */
  criuConfigPath(id: string): string;
  /** Deletes every container in the root and removes the sandbox dir. */
  cleanup(): Promise<void>;
}

/** Makes a sandbox in a fresh temp dir; call cleanup() in afterEach/afterAll. */
export function createRuntimeSandbox(options: SandboxOptions = {}): RuntimeSandbox {
  requireBuild();
  const dir = mkdtempSync(join(tmpdir(), 'cohort-test-'));
  const root = join(dir, 'runc-root');
  const stateDir = join(dir, 'state');
  mkdirSync(root, { mode: 0o700 });
  const configPath = join(dir, 'cohort.json');
  const config = options.config ?? {};
  writeFileSync(
    configPath,
    typeof config === 'string'
      ? config
      : JSON.stringify({ runc: RUNC, node: NODE, stateDir, ...config }, null, 2) + '\n',
  );
  const env: Record<string, string> = { ...definedEnv(process.env), COHORT_CONFIG: configPath };
  delete env.COHORT_NODE;
  const ids = new Set<string>();
  const withEnv = (options: RunOptions = {}): RunOptions => ({ env, ...options });
  const sandbox: RuntimeSandbox = {
    dir,
    root,
    stateDir,
    configPath,
    env,
    id(prefix) {
      const id = uniqueId(prefix);
      ids.add(id);
      return id;
    },
    bundle: (bundleOptions) => makeBundle({ parent: dir, ...bundleOptions }),
    cohort: (args, runOptions) => run(COHORT_BIN, ['--root', root, ...args], withEnv(runOptions)),
    runc: (args, runOptions) => run(RUNC, ['--root', root, ...args], withEnv(runOptions)),
    async create(via, id, bundle, extraArgs = []) {
      ids.add(id);
      const cmd = via === 'cohort' ? COHORT_BIN : RUNC;
      const args = ['--root', root, 'create', '--bundle', bundle, ...extraArgs, id];
      return runToFiles(cmd, args, env, join(dir, `${id}.${via}.create`));
    },
    criuConfigPath: (id) =>
      join(stateDir, 'containers', root.replaceAll('/', '_'), id, 'criu.conf'),
    async cleanup() {
      const listed = await run(RUNC, ['--root', root, 'list', '-q']);
      for (const id of [...ids, ...listed.stdout.split('\n').filter(Boolean)]) {
        await run(RUNC, ['--root', root, 'delete', '-f', id]);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return sandbox;
}

/** Runs with stdin from /dev/null and stdout/stderr into files, so detached children hold no pipe of ours. */
export function runToFiles(
  cmd: string,
  args: readonly string[],
  env: Record<string, string | undefined>,
  base: string,
  cwd?: string,
): Promise<RunResult> {
  const outPath = `${base}.out`;
  const errPath = `${base}.err`;
  const out = openSync(outPath, 'w');
  const err = openSync(errPath, 'w');
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { env, cwd, stdio: ['ignore', out, err] });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      closeSync(out);
      closeSync(err);
      const result: RunResult = {
        stdout: readFileSync(outPath, 'utf8'),
        stderr: readFileSync(errPath, 'utf8'),
        exitCode: code ?? 128,
      };
      if (signal !== null) result.signal = signal;
      resolvePromise(result);
    });
  });
}

/** process.env without undefined values, as spawn wants it. */
export function definedEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) out[key] = value;
  return out;
}

/** `runc state` parsed, through whichever binary is given. */
export interface ContainerState {
  id: string;
  pid: number;
  status: string;
  bundle: string;
  annotations?: Record<string, string>;
}

export async function containerState(
  root: string,
  id: string,
): Promise<ContainerState | undefined> {
  const result = await run(RUNC, ['--root', root, 'state', id]);
  return result.exitCode === 0 ? (JSON.parse(result.stdout) as ContainerState) : undefined;
}

/** Waits (bounded) until runc reports `status` for a container: state changes trail the calls that cause them. */
export async function waitForStatus(root: string, id: string, status: string): Promise<void> {
  for (let attempt = 0; attempt < 400; attempt += 1) {
    if ((await containerState(root, id))?.status === status) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`container ${id} never reached status ${status}`);
}
