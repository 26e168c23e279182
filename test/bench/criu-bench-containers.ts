// Idle containers for the CRIU benchmarks, started through cohort (group members) or bare runc,
// and timed checkpoints of them. All stdio is /dev/null: CRIU cannot dump a host file, and a
// detached container keeps runc's stdio. Errors are read from runc's --log.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ANNOTATION } from '../../src/spec/annotations.js';
import { COHORT_BIN, createRuntimeSandbox, RUNC, type RuntimeSandbox } from '../helpers/runc.js';

export interface BenchContainer {
  id: string;
  via: 'cohort' | 'runc';
}

export interface CheckpointRun {
  ms: number;
  workDir: string;
}

export class BenchContainers {
  readonly sandbox: RuntimeSandbox;
  private calls = 0;

  constructor(
    readonly criu: string,
    socket: string,
  ) {
    this.sandbox = createRuntimeSandbox({
      config: { coordinator: { address: `unix://${socket}`, connectTimeoutMs: 5_000 } },
    });
  }

  /** An idle container; through cohort it declares a group (its members, or its size). */
  async start(
    via: 'cohort' | 'runc',
    group?: { name: string; member: string; members: readonly string[] },
  ): Promise<BenchContainer> {
    const id = this.sandbox.id(via);
    const annotations: Record<string, string> =
      group === undefined
        ? {}
        : {
            [ANNOTATION.group]: group.name,
            [ANNOTATION.member]: group.member,
            [ANNOTATION.members]: group.members.join(','),
          };
    const bundle = this.sandbox.bundle({
      args: ['sleep', '2147483647'],
      annotations,
      edit: (spec) => {
        spec.linux.cgroupsPath = `/cohort-bench-${id}`;
      },
    });
    await this.call(via, ['run', '--detach', '--bundle', bundle, id]);
    return { id, via };
  }

  /** One `checkpoint --leave-running` into fresh dirs; the images are removed, the work dir kept. */
  async checkpoint(container: BenchContainer): Promise<CheckpointRun> {
    const base = join(this.sandbox.dir, `ck-${(this.calls += 1)}`);
    const workDir = `${base}-work`;
    mkdirSync(workDir);
    const started = performance.now();
    await this.call(container.via, [
      'checkpoint',
      '--leave-running',
      '--image-path',
      `${base}-image`,
      '--work-path',
      workDir,
      container.id,
    ]);
    const ms = performance.now() - started;
    rmSync(`${base}-image`, { recursive: true, force: true });
    return { ms, workDir };
  }

  /** Wall time of checkpointing all of them at once, from the first start to the last exit. */
  async checkpointAll(containers: readonly BenchContainer[]): Promise<number> {
    const started = performance.now();
    const runs = await Promise.all(containers.map((c) => this.checkpoint(c)));
    const ms = performance.now() - started;
    for (const run of runs) rmSync(run.workDir, { recursive: true, force: true });
    return ms;
  }

  /** `cohort checkpoint --help`: Node, cohort's checkpoint modules and runc, and no container. */
  async entryFloor(): Promise<number> {
    const started = performance.now();
    await this.call('cohort', ['checkpoint', '--help']);
    return performance.now() - started;
  }

  cleanup(): Promise<void> {
    return this.sandbox.cleanup();
  }

  /** <cohort|runc> --root R --criu C --log L --log-format json ...args; throws with runc's log. */
  private call(via: 'cohort' | 'runc', args: readonly string[]): Promise<void> {
    const log = join(this.sandbox.dir, `call-${(this.calls += 1)}.log`);
    const argv = ['--root', this.sandbox.root, '--criu', this.criu, '--log', log];
    return new Promise((resolve, reject) => {
      const child = spawn(
        via === 'cohort' ? COHORT_BIN : RUNC,
        [...argv, '--log-format', 'json', ...args],
        { env: this.sandbox.env, stdio: 'ignore' },
      );
      child.once('error', reject);
      child.once('exit', (code) => {
        const text = existsSync(log) ? readFileSync(log, 'utf8') : '';
        rmSync(log, { force: true });
        if (code === 0) resolve();
        else reject(new Error(`${via} ${args.join(' ')} exited ${code}: ${text.trim()}`));
      });
    });
  }
}
