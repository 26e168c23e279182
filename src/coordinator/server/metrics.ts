import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AbortKind } from '../protocol/effects.js';
import type { BarrierStage, RoundKind } from '../types.js';

/** Upper bounds in seconds: sub-millisecond loopback releases up to a slow dump's wait. */
const BUCKETS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300,
];

/**
 * The coordinator's Prometheus metrics, plus Node's process and event-loop-lag metrics, on a
 * registry of its own: coordinators in one process (tests, embedders) never share a series.
 * The per-group series carry the group's name (prom-client escapes it); the rest, bounded enums.
 */
export class Metrics implements GroupMetrics {
  readonly registry = new Registry();
  private readonly opened = new Counter({
    name: 'cohort_rounds_opened_total',
    help: 'Rounds opened, by kind.',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  private readonly committed = new Counter({
    name: 'cohort_rounds_committed_total',
    help: 'Rounds that reached a commit decision.',
    registers: [this.registry],
  });
  private readonly aborted = new Counter({
    name: 'cohort_rounds_aborted_total',
    help: 'Rounds aborted, by reason.',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  private readonly waits = new Histogram({
    name: 'cohort_barrier_wait_seconds',
    help: 'First arrival to release, by barrier.',
    labelNames: ['stage'] as const,
    buckets: BUCKETS,
    registers: [this.registry],
  });

  private readonly jitter = new Histogram({
    name: 'cohort_schedule_jitter_seconds',
    help: 'How late a scheduled round started after it was due.',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
    registers: [this.registry],
  });
  private readonly lastSuccess = new Gauge({
    name: 'cohort_group_last_success_timestamp_seconds',
    help: "When the group's last scheduled round succeeded (stored, where it has a store).",
    labelNames: ['group'] as const,
    registers: [this.registry],
  });
  private readonly failures = new Gauge({
    name: 'cohort_group_consecutive_failures',
    help: 'Scheduled rounds of the group that failed in a row.',
    labelNames: ['group'] as const,
    registers: [this.registry],
  });
  private readonly skipped = new Gauge({
    name: 'cohort_group_skipped_rounds',
    help: 'Scheduled rounds skipped because one was still running.',
    labelNames: ['group'] as const,
    registers: [this.registry],
  });
  private readonly recoveries = new Counter({
    name: 'cohort_group_recoveries_total',
    help: 'Recoveries of the group, by outcome.',
    labelNames: ['group', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly groupRounds = new Histogram({
    name: 'cohort_group_round_seconds',
    help: 'Group operations (checkpoint and store, restore) from start to end, by outcome.',
    labelNames: ['group', 'kind', 'outcome'] as const,
    buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800],
    registers: [this.registry],
  });

  constructor(connected: () => number) {
    new Gauge({
      name: 'cohort_members_connected',
      help: 'Member sessions joined to a round and connected.',
      registers: [this.registry],
      collect() {
        this.set(connected());
      },
    });
    // Both kinds show from the start, so a rate() has a zero to begin from.
    for (const kind of ['checkpoint', 'restore'] as const) this.opened.inc({ kind }, 0);
    collectDefaultMetrics({ register: this.registry });
  }

  roundOpened(kind: RoundKind): void {
    this.opened.inc({ kind });
  }

  roundCommitted(): void {
    this.committed.inc();
  }

  roundAborted(reason: AbortKind): void {
    this.aborted.inc({ reason });
  }

  barrierWait(stage: BarrierStage, seconds: number): void {
    this.waits.observe({ stage }, seconds);
  }

  scheduleJitter(seconds: number): void {
    this.jitter.observe(seconds);
  }

  scheduleState(group: string, state: ScheduleFigures): void {
    if (state.lastSuccessAt !== undefined)
      this.lastSuccess.set({ group }, state.lastSuccessAt / 1000);
    this.failures.set({ group }, state.consecutiveFailures);
    this.skipped.set({ group }, state.skipped);
  }

  recovery(group: string, outcome: string): void {
    this.recoveries.inc({ group, outcome });
  }

  groupRound(group: string, kind: RoundKind, outcome: string, seconds: number): void {
    this.groupRounds.observe({ group, kind, outcome }, seconds);
  }
}

export interface ScheduleFigures {
  lastSuccessAt?: number;
  consecutiveFailures: number;
  skipped: number;
}

/** The per-group figures; kept apart so the core metrics above read as they always did. */
export interface GroupMetrics {
  scheduleJitter(seconds: number): void;
  scheduleState(group: string, state: ScheduleFigures): void;
  recovery(group: string, outcome: string): void;
  groupRound(group: string, kind: RoundKind, outcome: string, seconds: number): void;
}
