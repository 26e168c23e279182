// Idle containers for the CRIU benchmarks, started through cohort (group members) or bare runc,
// and timed checkpoints and restores of them. All stdio is /dev/null: CRIU cannot dump a host
// file, and a detached container keeps runc's stdio. Errors are read from runc's --log.
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ANNOTATION } from '../../src/spec/annotations.js';
import { COHORT_BIN, RUNC, type RuntimeSandbox } from '../helpers/runc.js';
import { timedCall } from './timed-call.js';

export type Via = 'cohort' | 'runc';

export interface BenchContainer {
  id: string;
  via: Via;
  bundle: string;
}

/** One container's checkpoint: its images (kept for the restore) and CRIU's work dir. */
export interface DumpRun {
  container: BenchContainer;
  image: string;
  work: string;
}

export class BenchContainers {
  private calls = 0;

  constructor(
    readonly sandbox: RuntimeSandbox,
    readonly criu: string,
  ) {}

  /** An idle container; through cohort it declares a group by its members' names. */
  async start(
    via: Via,
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
    return { id, via, bundle };
  }

  /** `checkpoint --leave-running` of all at once; wall time from the first start to the last exit. */
  async checkpointAll(
    containers: readonly BenchContainer[],
  ): Promise<{ ms: number; runs: DumpRun[] }> {
    const runs = containers.map((container) => {
      const base = join(this.sandbox.dir, `ck-${(this.calls += 1)}`);
      mkdirSync(`${base}-work`);
      return { container, image: `${base}-image`, work: `${base}-work` };
    });
    const ms = await this.allAtOnce(runs, (run) => [
      'checkpoint',
      '--leave-running',
      '--image-path',
      run.image,
      '--work-path',
      run.work,
      run.container.id,
    ]);
    return { ms, runs };
  }

  /** Gone, so that a restore may take the id again (runc delete --force, never timed). */
  async deleteAll(containers: readonly BenchContainer[]): Promise<void> {
    await Promise.all(containers.map((c) => this.call('runc', ['delete', '--force', c.id])));
  }

  /** `restore --detach` of each checkpoint, all at once; returns the wall time and work dirs. */
  async restoreAll(runs: readonly DumpRun[]): Promise<{ ms: number; works: string[] }> {
    const works = runs.map((run) => {
      const work = `${run.work}-restore`;
      mkdirSync(work);
      return work;
    });
    const ms = await this.allAtOnce(runs, (run, index) => [
      'restore',
      '--detach',
      '--bundle',
      run.container.bundle,
      '--image-path',
      run.image,
      '--work-path',
      works[index] ?? '',
      run.container.id,
    ]);
    return { ms, works };
  }

  /** Removes a cycle's images and work dirs. */
  discard(runs: readonly DumpRun[]): void {
    for (const run of runs) {
      for (const path of [run.image, run.work, `${run.work}-restore`])
        rmSync(path, { recursive: true, force: true });
    }
  }

  /** `checkpoint --help`: through cohort, the front door and one host dispatch, then runc. */
  helpFloor(via: Via): Promise<number> {
    return this.call(via, ['checkpoint', '--help']);
  }

  private async allAtOnce(
    runs: readonly DumpRun[],
    argsOf: (run: DumpRun, index: number) => string[],
  ): Promise<number> {
    const started = performance.now();
    await Promise.all(runs.map((run, index) => this.call(run.container.via, argsOf(run, index))));
    return performance.now() - started;
  }

  /** <cohort|runc> --root R --criu C --log L --log-format json ...args; throws with runc's log. */
  private async call(via: Via, args: readonly string[]): Promise<number> {
    const log = join(this.sandbox.dir, `call-${(this.calls += 1)}.log`);
    const argv = ['--root', this.sandbox.root, '--criu', this.criu, '--log', log];
    try {
      const { ms } = await timedCall(
        via === 'cohort' ? COHORT_BIN : RUNC,
        [...argv, '--log-format', 'json', ...args],
        this.sandbox.env,
      );
      return ms;
    } catch (error) {
      const text = existsSync(log) ? readFileSync(log, 'utf8').trim() : '';
      throw new Error(`${via} ${args.join(' ')}: ${String(error)}; log: ${text}`, { cause: error });
    } finally {
      rmSync(log, { force: true });
    }
  }
}
