/** Upper bounds in seconds: sub-millisecond loopback releases up to a slow dump's wait. */
const BUCKETS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300,
];

interface Histogram {
  counts: number[];
  sum: number;
  count: number;
}

/** The coordinator's Prometheus metrics, written in the text exposition format by hand. */
export class Metrics {
  private readonly opened = new Map<string, number>();
  private committed = 0;
  private readonly aborted = new Map<string, number>();
  private readonly waits = new Map<string, Histogram>();

  constructor(private readonly connected: () => number) {}

  roundOpened(kind: string): void {
    this.opened.set(kind, (this.opened.get(kind) ?? 0) + 1);
  }

  roundCommitted(): void {
    this.committed += 1;
  }

  roundAborted(reason: string): void {
    this.aborted.set(reason, (this.aborted.get(reason) ?? 0) + 1);
  }

  barrierWait(stage: string, seconds: number): void {
    let h = this.waits.get(stage);
    if (h === undefined)
      this.waits.set(stage, (h = { counts: BUCKETS.map(() => 0), sum: 0, count: 0 }));
    BUCKETS.forEach((bound, i) => {
      if (seconds <= bound) h.counts[i] = (h.counts[i] ?? 0) + 1;
    });
    h.sum += seconds;
    h.count += 1;
  }

  render(): string {
    const lines: string[] = [];
    const family = (name: string, type: string, help: string) =>
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    family('cohort_rounds_opened_total', 'counter', 'Rounds opened, by kind.');
    for (const kind of ['checkpoint', 'restore']) {
      lines.push(`cohort_rounds_opened_total{kind="${kind}"} ${this.opened.get(kind) ?? 0}`);
    }
    family('cohort_rounds_committed_total', 'counter', 'Rounds that reached a commit decision.');
    lines.push(`cohort_rounds_committed_total ${this.committed}`);
    family('cohort_rounds_aborted_total', 'counter', 'Rounds aborted, by reason.');
    for (const [reason, count] of [...this.aborted].sort()) {
      lines.push(`cohort_rounds_aborted_total{reason="${reason}"} ${count}`);
    }
    family('cohort_barrier_wait_seconds', 'histogram', 'First arrival to release, by barrier.');
    for (const [stage, h] of [...this.waits].sort()) {
      BUCKETS.forEach((bound, i) => {
        lines.push(
          `cohort_barrier_wait_seconds_bucket{stage="${stage}",le="${bound}"} ${h.counts[i] ?? 0}`,
        );
      });
      lines.push(`cohort_barrier_wait_seconds_bucket{stage="${stage}",le="+Inf"} ${h.count}`);
      lines.push(`cohort_barrier_wait_seconds_sum{stage="${stage}"} ${h.sum}`);
      lines.push(`cohort_barrier_wait_seconds_count{stage="${stage}"} ${h.count}`);
    }
    family('cohort_members_connected', 'gauge', 'Member sessions joined to a round and connected.');
    lines.push(`cohort_members_connected ${this.connected()}`);
    return lines.join('\n') + '\n';
  }
}
