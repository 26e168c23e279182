import type { RoundKind, StoredCheckpointRecord } from '../types.js';

/** What a group operation came to, as cohortctl and the scheduler hear it. */
export interface OperationOutcome {
  group: string;
  kind: RoundKind;
  epoch: number;
  /** stored: in the store, every member; permanent: on the nodes only; committed: not all completed. */
  outcome: 'stored' | 'permanent' | 'committed' | 'aborted';
  reason?: string;
  culprit?: string;
  /** The code (COHORT_ERR_*) of what stopped it: a store's refusal, an engine's failure. */
  errorCode?: string;
  stored?: StoredCheckpointRecord;
  durationMs: number;
  /** member → node it ran, or was restored, on */
  placements: Record<string, string>;
}

export function succeeded(outcome: OperationOutcome, wantStored: boolean): boolean {
  return wantStored
    ? outcome.outcome === 'stored'
    : outcome.outcome === 'stored' || outcome.outcome === 'permanent';
}
