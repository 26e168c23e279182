import type { OperationResult } from '../gen/cohort/v1/groups.js';
import { formatBytes, formatDuration, formatTable } from './table.js';

/** An operation's outcome: one head line, then one row per member (its node, digest, size). */
export function formatOperation(result: OperationResult): string {
  const culprit = result.culprit === '' ? '' : `, culprit ${result.culprit}`;
  const reason = result.reason === '' ? '' : `: ${result.reason}`;
  const how = result.epoch === 0 ? 'not started' : `${result.outcome} at epoch ${result.epoch}`;
  const head = `${result.kind} of group ${result.group}: ${how} in ${formatDuration(result.durationMs)}${culprit}${reason}\n`;
  const stored = new Map(result.stored?.members.map((m) => [m.member, m]));
  const rows = Object.entries(result.placements)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([member, node]) => {
      const archive = stored.get(member);
      return [
        member,
        node,
        archive === undefined ? '-' : formatBytes(archive.size),
        archive?.digest ?? '-',
      ];
    });
  const where = result.stored === undefined ? '' : `stored in ${result.stored.location}\n`;
  return head + where + formatTable(['MEMBER', 'NODE', 'SIZE', 'DIGEST'], rows);
}
