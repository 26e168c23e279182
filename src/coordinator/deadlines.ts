import { CohortError, ErrorCode } from '../core/errors.js';
import type { Deadlines } from './types.js';

/** Defaults sized to CRIU's work in each stage on a loaded node; a group's manifest may override them. */
export const DEFAULT_DEADLINES: Readonly<Deadlines> = Object.freeze({
  // Engines start members one after another; 30 s covers a slow pull-free container start.
  joinMs: 30_000,
  // runc has to start CRIU and reach pre-dump: seconds, not minutes.
  readyMs: 30_000,
  // Freezing a cgroup and locking the network takes milliseconds; 30 s allows a stuck D-state task.
  freezeMs: 30_000,
  // Writing images is bounded by memory size and disk speed: 5 minutes for tens of GiB.
  dumpMs: 300_000,
  // Restoring reads the same images back.
  restoreMs: 300_000,
  // The members' tasks are restored and stopped: hold them together only briefly.
  resumeMs: 10_000,
  // runc's own bookkeeping after CRIU returns.
  completeMs: 120_000,
  // Five one-second heartbeats lost: the session is gone; keepalive usually notices sooner.
  heartbeatTimeoutMs: 5_000,
});

export const DEADLINE_KEYS = Object.keys(DEFAULT_DEADLINES) as (keyof Deadlines)[];

export const MAX_DEADLINE_MS = 24 * 3_600_000;

/** The deadlines a round runs with: the coordinator's, overridden by its group's manifest. */
export function mergeDeadlines(base: Deadlines, override?: Partial<Deadlines>): Deadlines {
  const merged = { ...base };
  if (override === undefined) return merged;
  for (const key of DEADLINE_KEYS) {
    const value = override[key];
    if (value !== undefined) merged[key] = value;
  }
  return merged;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** Parses "250", "250ms", "30s", "5m", "1h" into milliseconds; a bare number is milliseconds. */
export function parseDuration(text: string, name: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (match === null) {
    throw new CohortError(
      ErrorCode.Config,
      `${name}: "${text}" is not a duration; write milliseconds (500) or a number with ms, s, m or h (30s)`,
      { details: { key: name } },
    );
  }
  const ms = Math.round(Number(match[1]) * (UNIT_MS[match[2] ?? 'ms'] ?? 1));
  if (ms < 1 || ms > MAX_DEADLINE_MS) {
    throw new CohortError(
      ErrorCode.Config,
      `${name}: ${text} is out of range; give from 1ms to 24h`,
      { details: { key: name } },
    );
  }
  return ms;
}
