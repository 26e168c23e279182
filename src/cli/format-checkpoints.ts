import type { StoredCheckpoint } from '../gen/cohort/v1/records.js';
import { formatBytes, formatTable } from './table.js';

export function formatCheckpoints(group: string, checkpoints: readonly StoredCheckpoint[]): string {
  if (checkpoints.length === 0) return `group ${group}: no stored checkpoints\n`;
  const rows = checkpoints.flatMap((c) =>
    c.members.map((m, index) => [
      index === 0 ? String(c.epoch) : '',
      index === 0 ? c.createdAt : '',
      index === 0 ? c.location : '',
      m.member,
      formatBytes(m.size),
      m.digest,
    ]),
  );
  return formatTable(['EPOCH', 'STORED', 'LOCATION', 'MEMBER', 'SIZE', 'DIGEST'], rows);
}
