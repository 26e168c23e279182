import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/core/package-paths.js';

const DIST_ENTRY = join(PACKAGE_ROOT, 'dist', 'bundle', 'cohortd.mjs');
const BIN = join(PACKAGE_ROOT, 'bin', 'cohortd');
/** The V8 flag bin/cohortd sets, for runs from source. */
const NODE_FLAGS = ['--max-semi-space-size=1'];

/** cohortd in its own process, so its RSS and CPU are its own; the clients stay in the bench. */
export class BenchDaemon {
  readonly dir = mkdtempSync(join(tmpdir(), 'cohortd-bench-'));
  readonly unix = `unix://${join(this.dir, 'cohortd.sock')}`;
  readonly tcpPort = 20_000 + Math.floor(Math.random() * 20_000);
  readonly tcp = `127.0.0.1:${this.tcpPort}`;
  readonly runner: string;
  private readonly child: ChildProcess;

  constructor() {
    // The installed way (bin/cohortd on dist/) when built; else from source through tsx.
    const fromDist = existsSync(DIST_ENTRY) && process.env.COHORT_BENCH_FROM_SOURCE !== '1';
    this.runner = fromDist ? 'bin/cohortd (dist)' : 'src via tsx';
    const [command, ...entry] = fromDist
      ? [BIN]
      : [
          process.execPath,
          ...NODE_FLAGS,
          '--import',
          'tsx',
          join(PACKAGE_ROOT, 'src', 'entries', 'cohortd-main.ts'),
        ];
    const args = [
      '--listen',
      this.unix,
      '--listen',
      this.tcp,
      '--insecure',
      '--state-dir',
      join(this.dir, 'state'),
      '--log-level',
      'warn',
    ];
    this.child = spawn(command ?? BIN, [...entry, ...args], {
      cwd: PACKAGE_ROOT,
      env: { ...process.env, COHORT_NODE: process.execPath },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }

  rssMiB(): number {
    const status = readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
    return kb / 1024;
  }

  async stop(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
    rmSync(this.dir, { recursive: true, force: true });
  }
}
