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

/**
 * Each deadline under one name per place, all spelled alike: cohortd's `--join-timeout` is a
 * manifest's `deadlines.joinTimeout`; `joinMs` is the in-memory (and wire) field in milliseconds.
 */
export const DEADLINE_SETTINGS = [
  { key: 'joinMs', flag: 'join-timeout', field: 'joinTimeout' },
  { key: 'readyMs', flag: 'ready-timeout', field: 'readyTimeout' },
  { key: 'freezeMs', flag: 'freeze-timeout', field: 'freezeTimeout' },
  { key: 'dumpMs', flag: 'dump-timeout', field: 'dumpTimeout' },
  { key: 'restoreMs', flag: 'restore-timeout', field: 'restoreTimeout' },
  { key: 'resumeMs', flag: 'resume-timeout', field: 'resumeTimeout' },
  { key: 'completeMs', flag: 'complete-timeout', field: 'completeTimeout' },
  { key: 'heartbeatTimeoutMs', flag: 'heartbeat-timeout', field: 'heartbeatTimeout' },
] as const satisfies readonly { key: keyof Deadlines; flag: string; field: string }[];

export const DEADLINE_KEYS = DEADLINE_SETTINGS.map((setting) => setting.key);

export const MAX_DEADLINE_MS = 24 * 3_600_000;
export const DEADLINE_RANGE = { min: 1, max: MAX_DEADLINE_MS };

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
