import type { MemberStage, RoundKind, StageName } from '../coordinator/types.js';

/** What a member's stage means to an operator, in the words of the operation. */
const LABELS: Record<RoundKind, Record<MemberStage, string>> = {
  checkpoint: {
    joined: 'joined',
    ready: 'ready',
    frozen: 'frozen',
    voted: 'dumped',
    resumed: 'resumed',
    completed: 'committed',
    failed: 'failed',
  },
  restore: {
    joined: 'joined',
    ready: 'ready',
    frozen: 'frozen',
    voted: 'restored',
    resumed: 'resumed',
    completed: 'committed',
    failed: 'failed',
  },
};

export function memberStageLabel(kind: RoundKind, stage: MemberStage): string {
  return LABELS[kind][stage];
}

/** The order stage durations are shown in. */
export const STAGE_ORDER: readonly StageName[] = [
  'join',
  'ready',
  'frozen',
  'vote',
  'resumed',
  'complete',
];
