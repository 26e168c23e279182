// Series of calls for the runtime benchmark: each variant runs once per round, the order
// rotating from round to round, so drift in machine load falls on every variant alike.
import { join } from 'node:path';
import { RUNC, type RuntimeSandbox } from '../helpers/runc.js';
import { median, round } from './stats.js';
import { timedCall } from './timed-call.js';

export interface Variant {
  name: string;
  cmd: string;
  /** The call's argv for a fresh container id. */
  args: (id: string) => string[];
  env?: Record<string, string>;
  /** True when the call leaves a container to delete (untimed) before the next call. */
  creates?: boolean;
}

/** Samples (ms) per variant, in the order given; the first `warmup` rounds are not kept. */
export async function sampleSeries(
  sandbox: RuntimeSandbox,
  variants: readonly Variant[],
  rounds: number,
  warmup: number,
): Promise<number[][]> {
  const samples = variants.map(() => [] as number[]);
  for (let r = 0; r < warmup + rounds; r += 1) {
    for (let i = 0; i < variants.length; i += 1) {
      const index = (r + i) % variants.length;
      const variant = variants[index] as Variant;
      const id = sandbox.id('bench');
      const { ms } = await timedCall(
        variant.cmd,
        variant.args(id),
        variant.env ?? sandbox.env,
        join(sandbox.dir, 'call.err'),
      );
      if (variant.creates === true) await deleteContainer(sandbox, id);
      if (r >= warmup) samples[index]?.push(ms);
    }
  }
  return samples;
}

export async function deleteContainer(sandbox: RuntimeSandbox, id: string): Promise<void> {
  await timedCall(RUNC, ['--root', sandbox.root, 'delete', '--force', id], sandbox.env);
}

/** A row against a baseline series: medians, their difference, and the median paired difference. */
export function versusRow(name: string, samples: number[], baseline: number[], goal: string) {
  const paired = samples.map((ms, i) => ms - (baseline[i] ?? Number.NaN));
  return {
    case: name,
    runs: samples.length,
    p50_ms: round(median(samples)),
    min_ms: round(Math.min(...samples)),
    max_ms: round(Math.max(...samples)),
    added_p50_ms: round(median(samples) - median(baseline)),
    paired_added_p50_ms: round(median(paired)),
    goal,
  };
}
