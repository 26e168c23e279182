import type { RoundRecord } from '../coordinator/types.js';
import { STAGE_ORDER } from './stage-labels.js';
import { formatDuration, formatTable, formatTime } from './table.js';

export function formatHistory(group: string, rounds: readonly RoundRecord[]): string {
  if (rounds.length === 0) return `group ${group}: no rounds yet\n`;
  const header = [
    'EPOCH',
    'KIND',
    'OUTCOME',
    'OPENED',
    ...STAGE_ORDER.map((stage) => stage.toUpperCase()),
    'REASON',
  ];
  return formatTable(header, rounds.map(roundRow));
}

function roundRow(round: RoundRecord): string[] {
  const kind =
    round.checkpointEpoch === undefined ? round.kind : `${round.kind}(${round.checkpointEpoch})`;
  const durations = STAGE_ORDER.map((stage) => formatDuration(round.stageDurationsMs[stage]));
  return [
    String(round.epoch),
    kind,
    round.outcome,
    formatTime(round.openedAt),
    ...durations,
    reasonOf(round),
  ];
}

/** "culprit api: reason" for an abort, the reason alone when no member is to blame. */
export function reasonOf(round: Pick<RoundRecord, 'reason' | 'culprit'>): string {
  if (round.culprit !== undefined && round.reason !== undefined)
    return `culprit ${round.culprit}: ${round.reason}`;
  if (round.culprit !== undefined) return `culprit ${round.culprit}`;
  return round.reason ?? '-';
}
