// What one CRIU benchmark case collects per cycle (checkpoint --leave-running, delete, restore),
// from the wall clock and from CRIU's own logs and stats.
import type { CoordinatorClient } from '../../src/coordinator/client.js';
import type { StageName } from '../../src/coordinator/types.js';
import type { BenchContainer, BenchContainers } from './criu-bench-containers.js';
import {
  readActionDurations,
  readCriuMs,
  readFrozenMs,
  readRestoreSpans,
} from './criu-dump-log.js';
import { median, round } from './stats.js';

/** cohort group of 1 and of 4; runc with 1 and with 4 containers at once. */
export type CaseKey = 'cohort1' | 'runc1' | 'cohort4' | 'runc4';

export interface BenchCase {
  key: CaseKey;
  label: string;
  containers: BenchContainer[];
}

export class CaseSamples {
  /** Wall time of one cycle's checkpoint (restore) of all the case's containers. */
  readonly checkpointMs: number[] = [];
  readonly restoreMs: number[] = [];
  /** Per container and cycle: CRIU's frozen time, and CRIU's own run time. */
  readonly frozenMs: number[] = [];
  readonly criuDumpMs: number[] = [];
  readonly criuRestoreMs: number[] = [];
  /** Per action, per container and cycle: how long the action held CRIU (restore: its span). */
  readonly dumpActions = new Map<string, number[]>();
  readonly restoreActions = new Map<string, number[]>();

  action(which: 'dump' | 'restore', name: string): number {
    const samples = (which === 'dump' ? this.dumpActions : this.restoreActions).get(name);
    return samples === undefined ? Number.NaN : median(samples);
  }
}

/** One cycle: checkpoint all (leave running), delete, restore all; both calls timed alone. */
export async function runCycle(
  bench: BenchContainers,
  c: BenchCase,
  into: CaseSamples | undefined,
): Promise<void> {
  const dump = await bench.checkpointAll(c.containers);
  await bench.deleteAll(c.containers);
  const restore = await bench.restoreAll(dump.runs);
  try {
    if (into === undefined) return;
    into.checkpointMs.push(dump.ms);
    into.restoreMs.push(restore.ms);
    for (const run of dump.runs) {
      into.frozenMs.push(readFrozenMs(run.work));
      into.criuDumpMs.push(readCriuMs(run.work));
      addAll(into.dumpActions, readActionDurations(run.work));
    }
    for (const work of restore.works) {
      into.criuRestoreMs.push(readCriuMs(work, 'restore.log'));
      addAll(into.restoreActions, readRestoreSpans(work));
    }
  } finally {
    bench.discard(dump.runs);
  }
}

function addAll(into: Map<string, number[]>, durations: Map<string, number>): void {
  for (const [action, ms] of durations) {
    const samples = into.get(action) ?? [];
    samples.push(ms);
    into.set(action, samples);
  }
}

/** The median time each stage of a group's rounds took, as the coordinator recorded it. */
export async function stageRows(client: CoordinatorClient, group: string) {
  const rounds = (await client.history(group)).filter((r) => r.outcome === 'permanent');
  const stages: StageName[] = ['join', 'ready', 'frozen', 'vote', 'resumed', 'complete'];
  return (['checkpoint', 'restore'] as const).flatMap((kind) => {
    const ofKind = rounds.filter((r) => r.kind === kind);
    return stages.flatMap((stage) => {
      const samples = ofKind.flatMap((r) => {
        const ms = r.stageDurationsMs[stage];
        return ms === undefined ? [] : [ms];
      });
      if (samples.length === 0) return [];
      return [{ round: kind, stage, rounds: samples.length, p50_ms: round(median(samples)) }];
    });
  });
}
