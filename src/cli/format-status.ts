import type {
  GroupStatus,
  OpenRoundStatus,
  RoundRecord,
  StatusReply,
} from '../coordinator/types.js';
import { memberStageLabel } from './stage-labels.js';
import { formatDuration, formatTable, formatTime } from './table.js';

/** One group as `status` shows it: the coordinator's view plus its last permanent checkpoint. */
export interface GroupReport extends GroupStatus {
  lastPermanent?: RoundRecord;
}

export function formatStatus(reply: StatusReply, groups: readonly GroupReport[]): string {
  if (groups.length === 0) {
    return `no groups (${reply.connectedMembers} member sessions connected)\n`;
  }
  return groups.map((group) => formatGroup(group, reply.now)).join('\n');
}

function formatGroup(group: GroupReport, now: number): string {
  const lines = [`group ${group.name}  (${declared(group)}; last epoch ${group.lastEpoch})`];
  const round = group.openRound;
  const names = memberNames(group);
  if (names.length > 0) {
    const rows = names.map((name) => memberRow(name, round));
    lines.push(indent(formatTable(['MEMBER', 'CONNECTED', 'STAGE'], rows)));
  }
  lines.push(
    round === undefined ? '  open round: none' : `  open round: ${describeRound(round, now)}`,
  );
  lines.push(`  last permanent checkpoint: ${describePermanent(group.lastPermanent)}`);
  const locations = Object.entries(group.lastPermanent?.imageLocations ?? {});
  if (locations.length > 0)
    lines.push(indent(formatTable(['MEMBER', 'IMAGES'], locations), '    '));
  return lines.join('\n') + '\n';
}

function declared(group: GroupStatus): string {
  const manifest = group.manifest;
  if (manifest === undefined) return 'declared by its containers';
  if (manifest.members !== undefined) return `manifest: ${manifest.members.length} members`;
  return `manifest: size ${manifest.size ?? 0}`;
}

function memberNames(group: GroupReport): string[] {
  const names = new Set<string>(group.manifest?.members ?? []);
  for (const member of group.openRound?.members ?? []) names.add(member.name);
  // A group declared only by its containers is known by the members of its last checkpoint.
  if (names.size === 0) for (const name of group.lastPermanent?.members ?? []) names.add(name);
  return [...names];
}

function memberRow(name: string, round: OpenRoundStatus | undefined): string[] {
  const member = round?.members.find((candidate) => candidate.name === name);
  if (round === undefined) return [name, '-', 'idle'];
  if (member === undefined) return [name, 'no', 'not joined'];
  return [name, member.connected ? 'yes' : 'no', memberStageLabel(round.kind, member.stage)];
}

function describeRound(round: OpenRoundStatus, now: number): string {
  const parts = [
    `epoch ${round.epoch} ${round.kind}`,
    `phase ${round.phase}`,
    `${round.members.length}/${round.expected} joined`,
    `open for ${formatDuration(now - round.openedAt)}`,
  ];
  if (round.deadlineAt !== undefined)
    parts.push(`deadline in ${formatDuration(Math.max(0, round.deadlineAt - now))}`);
  if (round.checkpointEpoch !== undefined)
    parts.push(`from checkpoint epoch ${round.checkpointEpoch}`);
  return parts.join(', ');
}

function describePermanent(record: RoundRecord | undefined): string {
  if (record === undefined) return 'none';
  return `epoch ${record.epoch} at ${formatTime(record.closedAt ?? record.decidedAt)}, members ${record.members.join(', ')}`;
}

function indent(text: string, prefix = '  '): string {
  return text
    .trimEnd()
    .split('\n')
    .map((line) => prefix + line)
    .join('\n');
}
