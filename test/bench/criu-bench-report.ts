// The CRIU benchmark's tables: each goal as a ratio or a difference against plain runc measured
// in the same run, and where the time goes (CRIU's own time, its actions, the rest).
import type { CaseKey, CaseSamples } from './criu-bench-samples.js';
import { FROZEN_ACTIONS, RESTORE_ACTIONS } from './criu-dump-log.js';
import { median, round, verdict } from './stats.js';

export const GOALS = {
  /** Wall time of a group against as many plain runc calls at once. */
  ratio: { 1: 1.15, 4: 1.3 },
  /** CRIU's frozen time a member may add over a plain runc container. */
  frozenExtraMs: 5,
};

export type AllSamples = Record<CaseKey, CaseSamples>;

const PAIRS = [
  { size: 1, cohort: 'cohort1', runc: 'runc1' },
  { size: 4, cohort: 'cohort4', runc: 'runc4' },
] as const;

/** Goals 1 and 2: a group's wall time over the same number of plain runc calls at once. */
export function wallRows(all: AllSamples, op: 'checkpoint' | 'restore') {
  const pick = (s: CaseSamples) => (op === 'checkpoint' ? s.checkpointMs : s.restoreMs);
  return PAIRS.flatMap(({ size, cohort, runc }) => {
    const base = median(pick(all[runc]));
    const ratio = median(pick(all[cohort])) / base;
    const row = (name: string, samples: number[], goal: string) => ({
      case: name,
      runs: samples.length,
      p50_ms: round(median(samples)),
      min_ms: round(Math.min(...samples)),
      max_ms: round(Math.max(...samples)),
      vs_runc: round(median(samples) / base),
      goal,
    });
    const goal = GOALS.ratio[size];
    return [
      row(`runc ${op}, ${size} at once`, pick(all[runc]), 'baseline'),
      row(`cohort group of ${size}`, pick(all[cohort]), `<= ${goal}x: ${verdict(ratio <= goal)}`),
    ];
  });
}

/** Goal 5: CRIU's frozen time of each member against each plain runc container's. */
export function frozenRows(all: AllSamples) {
  return PAIRS.map(({ size, cohort, runc }) => {
    const withHook = median(all[cohort].frozenMs);
    const plain = median(all[runc].frozenMs);
    const added = withHook - plain;
    return {
      case: `group of ${size} vs runc ${size} at once`,
      samples: `${all[cohort].frozenMs.length}+${all[runc].frozenMs.length}`,
      cohort_p50_ms: round(withHook),
      runc_p50_ms: round(plain),
      added_ms: round(added),
      goal: `<= +${GOALS.frozenExtraMs} ms: ${verdict(added <= GOALS.frozenExtraMs)}`,
    };
  });
}

const CASE_LABELS: Record<CaseKey, string> = {
  runc1: 'runc, 1',
  cohort1: 'cohort group of 1',
  runc4: 'runc, 4 at once',
  cohort4: 'cohort group of 4',
};

/** Where a checkpoint's wall time goes: CRIU's run, its actions (hook time), and outside CRIU. */
export function dumpBreakdownRows(all: AllSamples) {
  return (Object.keys(CASE_LABELS) as CaseKey[]).map((key) => {
    const s = all[key];
    const wall = median(s.checkpointMs);
    const criu = median(s.criuDumpMs);
    const actions = ['pre-dump', ...FROZEN_ACTIONS].map((a) => [a, round(s.action('dump', a))]);
    return {
      case: CASE_LABELS[key],
      wall_p50: round(wall),
      criu_run_p50: round(criu),
      outside_criu: round(wall - criu),
      ...Object.fromEntries(actions),
      frozen_p50: round(median(s.frozenMs)),
    };
  });
}

/** Where a restore's wall time goes, likewise. */
export function restoreBreakdownRows(all: AllSamples) {
  return (Object.keys(CASE_LABELS) as CaseKey[]).map((key) => {
    const s = all[key];
    const wall = median(s.restoreMs);
    const criu = median(s.criuRestoreMs);
    const actions = RESTORE_ACTIONS.map((a) => [a, round(s.action('restore', a))]);
    return {
      case: CASE_LABELS[key],
      wall_p50: round(wall),
      criu_run_p50: round(criu),
      outside_criu: round(wall - criu),
      ...Object.fromEntries(actions),
    };
  });
}
