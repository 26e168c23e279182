import { toCohortError } from '../../core/errors.js';
import type { GroupPolicy } from '../rules/policy.js';
import {
  isDue,
  newSchedule,
  nextWakeup,
  reschedule,
  roundFinished,
  roundStarted,
  skipOverdue,
  type ScheduleState,
} from '../rules/schedule.js';
import type { Logger } from '../server/logger.js';
import type { OperationOutcome } from './outcome.js';

export interface SchedulerOptions {
  clock: () => number;
  random: () => number;
  logger: Logger;
  /** Starts the group's scheduled checkpoint; rejects RoundBusy when the group is busy. */
  checkpoint(group: string, policy: GroupPolicy): Promise<OperationOutcome>;
  /** Hears each scheduled round's start, for the jitter metric. */
  onStart?(group: string, lateMs: number): void;
  onFinish?(group: string, state: ScheduleState): void;
}

/**
 * Turns each group's policy interval into rounds: one timer for the earliest due time, the rules
 * (rules/schedule.ts) for what is due, what is skipped and when an aborted round is retried.
 */
export class Scheduler {
  private readonly states = new Map<string, ScheduleState>();
  private readonly policies = new Map<string, GroupPolicy>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly o: SchedulerOptions) {}

  /** A group's policy was set (or read at start); its interval starts again from now. */
  setPolicy(group: string, policy: GroupPolicy, lastSuccessAt?: number): void {
    const now = this.o.clock();
    this.policies.set(group, policy);
    const current = this.states.get(group);
    let state = current === undefined ? newSchedule(policy, now) : reschedule(current, policy, now);
    if (current === undefined && lastSuccessAt !== undefined) state = { ...state, lastSuccessAt };
    this.states.set(group, state);
    this.arm();
  }

  state(group: string): ScheduleState | undefined {
    return this.states.get(group);
  }

  /** A round someone else started (an operator's checkpoint): the schedule waits for it. */
  started(group: string): void {
    const state = this.states.get(group);
    const policy = this.policies.get(group);
    if (state === undefined || policy === undefined) return;
    this.states.set(group, roundStarted(state, policy, this.o.clock()));
  }

  finished(group: string, outcome: { ok: true } | { ok: false; reason: string }): void {
    const state = this.states.get(group);
    const policy = this.policies.get(group);
    if (state === undefined || policy === undefined) return;
    const next = roundFinished(state, policy, outcome, this.o.clock(), this.o.random());
    this.states.set(group, next);
    this.o.onFinish?.(group, next);
    this.arm();
  }

  /** A restore or recovery of the group ended: the interval starts again, nothing counted. */
  idle(group: string): void {
    const state = this.states.get(group);
    const policy = this.policies.get(group);
    if (state === undefined || policy === undefined) return;
    const next = reschedule({ ...state, retrying: false }, policy, this.o.clock());
    delete next.runningSince;
    this.states.set(group, next);
    this.arm();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
  }

  private arm(): void {
    if (this.stopped) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    const wake = nextWakeup(this.states.values());
    if (wake === undefined) return;
    this.timer = setTimeout(() => this.fire(), Math.max(0, wake - this.o.clock()));
    this.timer.unref();
  }

  private fire(): void {
    const now = this.o.clock();
    for (const [group, state] of this.states) {
      const policy = this.policies.get(group);
      if (policy === undefined) continue;
      if (!isDue(state, now)) {
        this.states.set(group, skipOverdue(state, policy, now));
        continue;
      }
      this.o.onStart?.(group, now - (state.nextDueAt ?? now));
      this.states.set(group, roundStarted(state, policy, now));
      void this.o.checkpoint(group, policy).then(
        (outcome) =>
          this.finished(
            group,
            outcome.outcome === 'stored' ||
              (outcome.outcome === 'permanent' && policy.store === undefined)
              ? { ok: true }
              : { ok: false, reason: outcome.reason ?? outcome.outcome },
          ),
        (error: unknown) => {
          const cause = toCohortError(error);
          this.o.logger.warn(
            { group, code: cause.code, message: cause.message },
            'scheduled-checkpoint-failed',
          );
          this.finished(group, { ok: false, reason: cause.message });
        },
      );
    }
    this.arm();
  }
}
