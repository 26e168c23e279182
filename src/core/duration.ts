import { CohortError, ErrorCode } from './errors.js';

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
};
const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/y;

/**
 * Go's duration syntax (`1m30s`, `250ms`, `1.5h`), as kubectl and etcd write them; a bare
 * number is milliseconds. Returns whole milliseconds within [min, max].
 */
export function parseDuration(
  text: string,
  name: string,
  range = { min: 1, max: 86_400_000 },
): number {
  const ms = durationMs(text.trim());
  if (ms === undefined) {
    throw durationError(
      name,
      `"${text}" is not a duration; write 500ms, 30s, 1m30s or 2h (a bare number is milliseconds)`,
    );
  }
  const rounded = Math.round(ms);
  if (rounded < range.min || rounded > range.max) {
    throw durationError(
      name,
      `${text} is out of range; give from ${formatDuration(range.min)} to ${formatDuration(range.max)}`,
    );
  }
  return rounded;
}

function durationMs(text: string): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  if (text === '' || text === '0') return text === '0' ? 0 : undefined;
  PART.lastIndex = 0;
  let total = 0;
  while (PART.lastIndex < text.length) {
    const match = PART.exec(text);
    if (match === null) return undefined;
    total += Number(match[1]) * (UNIT_MS[match[2] ?? ''] ?? Number.NaN);
  }
  return Number.isFinite(total) ? total : undefined;
}

/** Milliseconds the way Go prints a Duration: `250ms`, `1.5s`, `1m59.7s`, `2h0m0s`. */
export function formatDuration(ms: number): string {
  const whole = Math.round(ms);
  if (whole === 0) return '0s';
  if (whole < 0) return `-${formatDuration(-whole)}`;
  if (whole < 1_000) return `${whole}ms`;
  const hours = Math.floor(whole / 3_600_000);
  const minutes = Math.floor((whole % 3_600_000) / 60_000);
  const seconds = trimZeros(((whole % 60_000) / 1_000).toFixed(3));
  if (hours > 0) return `${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${minutes}m${seconds}s`;
  return `${seconds}s`;
}

function trimZeros(text: string): string {
  return text.replace(/\.?0+$/, '');
}

function durationError(name: string, problem: string): CohortError {
  return new CohortError(ErrorCode.Config, `${name}: ${problem}`, { details: { key: name } });
}
