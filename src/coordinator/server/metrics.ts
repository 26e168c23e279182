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
 * Every label is a bounded enum, never a group or member name.
 */
export class Metrics {
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
}
