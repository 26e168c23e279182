import { cpus, getPriority, loadavg } from 'node:os';

/** Percentiles over samples in milliseconds (nearest rank). */
export function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

export const median = (samples: readonly number[]): number => percentile(samples, 50);

export function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** Prints rows as an aligned table, then the same rows as one JSON line for tooling. */
export function printTable(
  title: string,
  rows: readonly Record<string, string | number | boolean>[],
): void {
  console.log(`\n${title}`);
  const first = rows[0];
  if (first === undefined) return;
  const keys = Object.keys(first);
  const widths = keys.map((k) => Math.max(k.length, ...rows.map((r) => String(r[k]).length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  console.log(line(keys));
  for (const row of rows) console.log(line(keys.map((k) => String(row[k]))));
  console.log(`JSON ${JSON.stringify({ title, rows })}`);
}

/** A goal's verdict as every benchmark prints it. */
export function verdict(ok: boolean): 'met' | 'MISSED' {
  return ok ? 'met' : 'MISSED';
}

/**
 * The machine as the run saw it: shared cores load every figure. The nice value is inherited
 * by every process a bench starts (`nice -n -20 npm run bench` puts other work behind it).
 */
export function machineLine(): string {
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  return `${cpus().length} cores, load average ${load}, nice ${getPriority()}`;
}
