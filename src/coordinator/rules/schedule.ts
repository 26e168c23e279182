import { RETRY, type GroupPolicy } from './policy.js';

/** Where a group's schedule stands; the coordinator keeps one per group with a policy. */
export interface ScheduleState {
  /** When the next round is due: the interval's next tick, or a retry. */
  nextDueAt?: number;
  /** The next due time is a retry of an aborted round, not the interval's tick. */
  retrying: boolean;
  /** A round of this group runs: no second one starts. */
  runningSince?: number;
  lastSuccessAt?: number;
  lastFailureAt?: number;
  lastFailure?: string;
  consecutiveFailures: number;
  /** Interval ticks that fell due while a round was still running. */
  skipped: number;
}

export function newSchedule(policy: Pick<GroupPolicy, 'intervalMs'>, now: number): ScheduleState {
  const state: ScheduleState = { retrying: false, consecutiveFailures: 0, skipped: 0 };
  if (policy.intervalMs !== undefined) state.nextDueAt = now + policy.intervalMs;
  return state;
}

/**
 * The policy changed: the interval starts again from now; a retry already planned stands,
 * unless the interval was removed (then nothing is due until a person asks).
 */
export function reschedule(
  state: ScheduleState,
  policy: Pick<GroupPolicy, 'intervalMs'>,
  now: number,
): ScheduleState {
  if (state.retrying && policy.intervalMs !== undefined) return state;
  const next = { ...state, retrying: false };
  if (policy.intervalMs === undefined) delete next.nextDueAt;
  else next.nextDueAt = now + policy.intervalMs;
  return next;
}

/** Is a round due at `now`? Never while one runs: a tick then is skipped and counted. */
export function isDue(state: ScheduleState, now: number): boolean {
  return (
    state.runningSince === undefined && state.nextDueAt !== undefined && now >= state.nextDueAt
  );
}

/**
 * A round started (scheduled, retried or asked for by a person). A due tick or retry is used up
 * by it; a tick still ahead stays, and is skipped if it comes while the round runs.
 */
export function roundStarted(
  state: ScheduleState,
  policy: Pick<GroupPolicy, 'intervalMs'>,
  now: number,
): ScheduleState {
  const next: ScheduleState = { ...state, runningSince: now, retrying: false };
  if (state.nextDueAt !== undefined && now >= state.nextDueAt) {
    if (policy.intervalMs === undefined) delete next.nextDueAt;
    else next.nextDueAt = now + policy.intervalMs;
  }
  return next;
}

/**
 * Ticks that fall due while a round runs are skipped, never queued: counted once each, and the
 * next due time moves to the first tick after `now`.
 */
export function skipOverdue(
  state: ScheduleState,
  policy: Pick<GroupPolicy, 'intervalMs'>,
  now: number,
): ScheduleState {
  const interval = policy.intervalMs;
  if (state.runningSince === undefined || interval === undefined) return state;
  if (state.nextDueAt === undefined || now < state.nextDueAt) return state;
  const missed = Math.floor((now - state.nextDueAt) / interval) + 1;
  return {
    ...state,
    skipped: state.skipped + missed,
    nextDueAt: state.nextDueAt + missed * interval,
  };
}

/**
 * A round ended. Success: the next tick is one interval after the round began, so rounds do not
 * drift by their own length. Failure: retry after a bounded exponential backoff with jitter
 * (`random` in [0, 1)), never later than the next tick would have come.
 */
export function roundFinished(
  state: ScheduleState,
  policy: Pick<GroupPolicy, 'intervalMs'>,
  outcome: { ok: true } | { ok: false; reason: string },
  now: number,
  random: number,
): ScheduleState {
  const started = state.runningSince ?? now;
  // Ticks that fell due during the round and no wakeup counted yet are skipped ticks too.
  const next: ScheduleState = { ...skipOverdue(state, policy, now), retrying: false };
  delete next.runningSince;
  const tick =
    policy.intervalMs === undefined ? undefined : nextTick(started, policy.intervalMs, now);
  if (outcome.ok) {
    next.lastSuccessAt = now;
    next.consecutiveFailures = 0;
    if (tick === undefined) delete next.nextDueAt;
    else next.nextDueAt = tick;
    return next;
  }
  next.lastFailureAt = now;
  next.lastFailure = outcome.reason;
  next.consecutiveFailures = state.consecutiveFailures + 1;
  // No interval: the round was a person's, who heard its outcome; nothing retries it.
  if (tick === undefined) {
    delete next.nextDueAt;
    return next;
  }
  const retryAt = now + backoffMs(next.consecutiveFailures, random);
  next.retrying = retryAt < tick;
  next.nextDueAt = Math.min(retryAt, tick);
  return next;
}

/** 1 s, 2 s, 4 s, … capped at RETRY.maxMs; "equal jitter": half fixed, half random. */
export function backoffMs(failures: number, random: number): number {
  const ceiling = Math.min(RETRY.maxMs, RETRY.baseMs * 2 ** Math.max(0, failures - 1));
  return Math.round(ceiling / 2 + (ceiling / 2) * random);
}

function nextTick(started: number, interval: number, now: number): number {
  const tick = started + interval;
  return tick > now ? tick : now + interval - ((now - started) % interval);
}

/** The earliest time any schedule needs the coordinator to look again. */
export function nextWakeup(states: Iterable<ScheduleState>): number | undefined {
  let next = Infinity;
  for (const state of states) {
    if (state.runningSince === undefined && state.nextDueAt !== undefined)
      next = Math.min(next, state.nextDueAt);
  }
  return next === Infinity ? undefined : next;
}
