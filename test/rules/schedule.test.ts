import { describe, expect, it } from 'vitest';
import { RETRY } from '../../src/coordinator/rules/policy.js';
import {
  backoffMs,
  isDue,
  newSchedule,
  nextWakeup,
  reschedule,
  roundFinished,
  roundStarted,
  skipOverdue,
  type ScheduleState,
} from '../../src/coordinator/rules/schedule.js';

const policy = { intervalMs: 10_000 };
const ok = { ok: true } as const;
const failed = { ok: false, reason: 'member b failed' } as const;

/** Runs a schedule through a list of events, the clock given with each. */
function drive(events: [number, 'tick' | 'start' | 'ok' | 'fail', number?][]): ScheduleState {
  let state = newSchedule(policy, 0);
  for (const [now, event, random = 0.5] of events) {
    if (event === 'tick') state = skipOverdue(state, policy, now);
    if (event === 'start') state = roundStarted(state, policy, now);
    if (event === 'ok') state = roundFinished(state, policy, ok, now, random);
    if (event === 'fail') state = roundFinished(state, policy, failed, now, random);
  }
  return state;
}

describe('the schedule of a group with an interval', () => {
  it('is first due one interval after the policy is set, and not before', () => {
    const state = newSchedule(policy, 1_000);
    expect(isDue(state, 10_999)).toBe(false);
    expect(isDue(state, 11_000)).toBe(true);
    expect(nextWakeup([state])).toBe(11_000);
  });

  it('never starts a second round while one runs', () => {
    const running = roundStarted(newSchedule(policy, 0), policy, 10_000);
    expect(isDue(running, 25_000)).toBe(false);
    expect(nextWakeup([running])).toBeUndefined();
  });

  it('counts each tick that falls due during a long round as skipped, once', () => {
    const state = drive([
      [10_000, 'start'],
      [20_000, 'tick'],
      [20_500, 'tick'],
      [45_000, 'tick'],
    ]);
    // Due at 20 s, 30 s and 40 s while the round that began at 10 s ran on.
    expect(state.skipped).toBe(3);
    expect(state.nextDueAt).toBe(50_000);
  });

  it('counts the ticks a round ran over when it ends, though nothing woke during it', () => {
    // The scheduler arms no timer for a running group: its end is the first look.
    const state = drive([
      [10_000, 'start'],
      [32_500, 'ok'],
    ]);
    expect(state.skipped).toBe(2);
    const counted = drive([
      [10_000, 'start'],
      [20_000, 'tick'],
      [32_500, 'ok'],
    ]);
    expect(counted.skipped).toBe(2);
  });

  it('after a success, is due one interval after the round began: no drift by round length', () => {
    const state = drive([
      [10_000, 'start'],
      [12_500, 'ok'],
    ]);
    expect(state).toMatchObject({
      lastSuccessAt: 12_500,
      consecutiveFailures: 0,
      nextDueAt: 20_000,
    });
  });

  it('after a round longer than the interval, is due at the first tick after it ends', () => {
    const state = drive([
      [10_000, 'start'],
      [31_000, 'ok'],
    ]);
    expect(state.nextDueAt).toBe(40_000);
  });

  it('retries an aborted round with exponential backoff and jitter, then keeps the interval', () => {
    const huge = { intervalMs: 3_600_000 };
    let state = roundStarted(newSchedule(huge, 0), huge, 3_600_000);
    const retries: number[] = [];
    for (let attempt = 1; attempt <= 4; attempt += 1) {
      const now = (state.runningSince ?? 0) + 100;
      state = roundFinished(state, huge, failed, now, 0.999);
      expect(state.retrying).toBe(true);
      retries.push((state.nextDueAt ?? 0) - now);
      state = roundStarted(state, huge, state.nextDueAt ?? 0);
    }
    expect(retries.map((ms) => Math.round(ms / 100) * 100)).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(state.consecutiveFailures).toBe(4);
    state = roundFinished(state, huge, ok, (state.runningSince ?? 0) + 50, 0.5);
    expect(state).toMatchObject({ consecutiveFailures: 0, retrying: false });
  });

  it('never waits longer to retry than the next tick of the interval', () => {
    const state = drive([
      [10_000, 'start'],
      [19_900, 'fail', 0.999],
    ]);
    expect(state.nextDueAt).toBe(20_000);
    expect(state.retrying).toBe(false);
  });

  it.each([
    [1, 0, 500],
    [1, 0.999, 1_000],
    [3, 0, 2_000],
    [30, 0, RETRY.maxMs / 2],
    [30, 0.99999999, RETRY.maxMs],
  ])('bounds the backoff: failure %i with jitter %d waits %d ms', (failures, random, expected) => {
    expect(backoffMs(failures, random)).toBe(expected);
  });

  it('starts the interval again when the policy changes, but keeps a planned retry', () => {
    const state = newSchedule(policy, 0);
    expect(reschedule(state, { intervalMs: 60_000 }, 5_000).nextDueAt).toBe(65_000);
    expect(reschedule(state, {}, 5_000).nextDueAt).toBeUndefined();
    const retrying = { ...state, retrying: true, nextDueAt: 6_000 };
    expect(reschedule(retrying, { intervalMs: 60_000 }, 5_000).nextDueAt).toBe(6_000);
    // The interval removed: the planned retry goes with it.
    expect(reschedule(retrying, {}, 5_000)).toMatchObject({ retrying: false });
    expect(reschedule(retrying, {}, 5_000).nextDueAt).toBeUndefined();
  });

  it('never retries a failed round of a group without an interval: a person asked, and was told', () => {
    const none = {};
    let state = roundStarted(newSchedule(none, 0), none, 1_000);
    state = roundFinished(state, none, failed, 2_000, 0.5);
    expect(state).toMatchObject({ consecutiveFailures: 1, retrying: false, lastFailureAt: 2_000 });
    expect(state.nextDueAt).toBeUndefined();
    expect(nextWakeup([state])).toBeUndefined();
  });
});
