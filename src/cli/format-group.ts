import type { GroupView } from '../gen/cohort/v1/groups.js';
import { formatDuration, formatTable, formatTime } from './table.js';

/** A group's policy and schedule, its members and where they run, and its last recoveries. */
export function formatGroupView(view: GroupView, now: number): string {
  const p = view.policy;
  const lines = [`group ${view.name}`];
  if (p === undefined) lines.push('  policy: none (checkpoints only when asked; no recovery)');
  else {
    const every =
      p.intervalMs === undefined ? 'only when asked' : `every ${formatDuration(p.intervalMs)}`;
    const flags = [
      p.leaveRunning ? 'leave running' : 'stop',
      ...(p.tcpEstablished ? ['tcp-established'] : []),
      ...(p.fileLocks ? ['file-locks'] : []),
    ];
    lines.push(
      `  policy: checkpoint ${every} to ${p.store || '(no store)'}, keep ${p.keep}, on failure ${p.onFailure} (${flags.join(', ')})`,
    );
  }
  const s = view.schedule;
  if (s !== undefined) {
    const next =
      s.nextDueAt === undefined
        ? '-'
        : s.nextDueAt <= now
          ? 'due now'
          : `in ${formatDuration(s.nextDueAt - now)}`;
    lines.push(
      `  schedule: last success ${formatTime(s.lastSuccessAt)}, next ${next}, ${s.consecutiveFailures} consecutive failure(s), ${s.skipped} skipped${s.running ? ', a round is running' : ''}${s.lastFailure === '' ? '' : `; last failure: ${s.lastFailure}`}`,
    );
  }
  const stored = view.latestStored;
  lines.push(
    `  latest stored: ${stored === undefined ? 'none' : `epoch ${stored.epoch} at ${stored.createdAt} in ${stored.location}`}`,
  );
  const members = view.members.map((m) => [
    m.member,
    view.nodes[m.member] ?? '-',
    m.engine,
    m.label,
    m.state,
  ]);
  const table =
    members.length === 0
      ? '  no member reported by any node\n'
      : indent(formatTable(['MEMBER', 'NODE', 'ENGINE', 'CONTAINER', 'STATE'], members));
  const recoveries = view.recoveries
    .slice(-5)
    .map((r) => [
      formatTime(r.startedAt),
      r.outcome,
      r.epoch === 0 ? '-' : String(r.epoch),
      r.finishedAt === undefined ? '-' : formatDuration(r.finishedAt - r.startedAt),
      r.reason === '' ? r.cause : `${r.cause}: ${r.reason}`,
    ]);
  const recovered =
    recoveries.length === 0
      ? ''
      : `  recoveries:\n${indent(formatTable(['STARTED', 'OUTCOME', 'EPOCH', 'TOOK', 'CAUSE'], recoveries), 4)}`;
  return `${lines.join('\n')}\n${table}${recovered}`;
}

function indent(text: string, by = 2): string {
  const pad = ' '.repeat(by);
  return text
    .split('\n')
    .map((line) => (line === '' ? line : pad + line))
    .join('\n');
}
