import type {
  BarrierStage,
  DecisionLookup,
  DecisionRecord,
  GroupManifest,
  GroupStatus,
  RoundKind,
  RoundRecord,
  StatusReply,
} from '../types.js';
import { KIND_FROM_WIRE, STAGE_FROM_WIRE } from '../wire/enums.js';

type Wire = Record<string, unknown>;

/** What a member's stream can bring. */
export type ServerEvent =
  | {
      type: 'welcome';
      epoch: number;
      members: string[];
      roundId: string;
      kind?: RoundKind;
      expected: number;
    }
  | { type: 'release'; epoch: number; stage: BarrierStage; members: string[]; forced: boolean }
  | { type: 'decision'; epoch: number; commit: boolean; reason?: string; culprit?: string }
  | { type: 'abort'; epoch: number; reason: string; culprit?: string }
  | { type: 'error'; seq: number; code: string; message: string; detailsJson?: string }
  | { type: 'ack'; epoch: number; what: string };

const num = (v: unknown): number => (typeof v === 'number' ? v : 0);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const list = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
const obj = (v: unknown): Wire => (typeof v === 'object' && v !== null ? (v as Wire) : {});

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

export function decodeServerEvent(raw: Wire): ServerEvent | undefined {
  const body = str(raw.body);
  const m = obj(body === undefined ? undefined : raw[body]);
  switch (body) {
    case 'welcome':
      return {
        type: 'welcome',
        epoch: num(m.epoch),
        members: list(m.members),
        roundId: str(m.roundId) ?? '',
        expected: num(m.expected),
        ...optional('kind', KIND_FROM_WIRE[String(m.kind)]),
      };
    case 'release': {
      const stage = STAGE_FROM_WIRE[String(m.stage)];
      if (stage === undefined) return undefined;
      return {
        type: 'release',
        epoch: num(m.epoch),
        stage,
        members: list(m.members),
        forced: m.forced === true,
      };
    }
    case 'decision':
      return {
        type: 'decision',
        epoch: num(m.epoch),
        commit: m.commit === true,
        ...optional('reason', str(m.reason)),
        ...optional('culprit', str(m.culprit)),
      };
    case 'abort':
      return {
        type: 'abort',
        epoch: num(m.epoch),
        reason: str(m.reason) ?? 'aborted',
        ...optional('culprit', str(m.culprit)),
      };
    case 'error':
      return {
        type: 'error',
        seq: num(m.seq),
        code: str(m.code) ?? '',
        message: str(m.message) ?? '',
        ...optional('detailsJson', str(m.detailsJson)),
      };
    case 'ack':
      return { type: 'ack', epoch: num(m.epoch), what: str(m.what) ?? '' };
    default:
      return undefined;
  }
}

export function decodeManifestReply(raw: unknown): GroupManifest {
  const m = obj(raw);
  const manifest: GroupManifest = { name: str(m.name) ?? '' };
  const members = list(m.members);
  if (members.length > 0) manifest.members = members;
  if (typeof m.size === 'number' && m.size > 0) manifest.size = m.size;
  const deadlines = obj(m.deadlines);
  const entries = Object.entries(deadlines).filter(([, v]) => typeof v === 'number');
  if (entries.length > 0) manifest.deadlines = Object.fromEntries(entries);
  return manifest;
}

export function decodeStatusReply(raw: Wire): StatusReply {
  const groups = (Array.isArray(raw.groups) ? raw.groups : []).map((g): GroupStatus => {
    const group = obj(g);
    const status: GroupStatus = { name: str(group.name) ?? '', lastEpoch: num(group.lastEpoch) };
    if (group.manifest !== undefined && group.manifest !== null)
      status.manifest = decodeManifestReply(group.manifest);
    if (group.openRound !== undefined && group.openRound !== null) {
      const r = obj(group.openRound);
      status.openRound = {
        epoch: num(r.epoch),
        roundId: str(r.roundId) ?? '',
        kind: KIND_FROM_WIRE[String(r.kind)] ?? 'checkpoint',
        phase: (str(r.phase) ?? 'gathering') as NonNullable<GroupStatus['openRound']>['phase'],
        openedAt: num(r.openedAt),
        expected: num(r.expected),
        members: (Array.isArray(r.members) ? r.members : []).map((x) => {
          const member = obj(x);
          return {
            name: str(member.name) ?? '',
            stage: (str(member.stage) ?? 'joined') as never,
            connected: member.connected === true,
          };
        }),
        ...optional('deadlineAt', typeof r.deadlineAt === 'number' ? r.deadlineAt : undefined),
        ...optional(
          'checkpointEpoch',
          typeof r.checkpointEpoch === 'number' ? r.checkpointEpoch : undefined,
        ),
      };
    }
    return status;
  });
  return { groups, connectedMembers: num(raw.connectedMembers), now: num(raw.now) };
}

export function decodeRoundRecord(raw: unknown): RoundRecord {
  const r = obj(raw);
  const numbers = (v: unknown) =>
    Object.fromEntries(Object.entries(obj(v)).filter(([, x]) => typeof x === 'number')) as Record<
      string,
      number
    >;
  const strings = (v: unknown) =>
    Object.fromEntries(Object.entries(obj(v)).filter(([, x]) => typeof x === 'string')) as Record<
      string,
      string
    >;
  return {
    group: str(r.group) ?? '',
    epoch: num(r.epoch),
    roundId: str(r.roundId) ?? '',
    kind: KIND_FROM_WIRE[String(r.kind)] ?? 'checkpoint',
    outcome: (str(r.outcome) ?? 'open') as RoundRecord['outcome'],
    openedAt: num(r.openedAt),
    members: list(r.members),
    imageLocations: strings(r.imageLocations),
    stageDurationsMs: numbers(r.stageDurationsMs),
    ...optional('reason', str(r.reason)),
    ...optional('culprit', str(r.culprit)),
    ...optional('decidedAt', typeof r.decidedAt === 'number' ? r.decidedAt : undefined),
    ...optional('closedAt', typeof r.closedAt === 'number' ? r.closedAt : undefined),
    ...optional(
      'checkpointEpoch',
      typeof r.checkpointEpoch === 'number' ? r.checkpointEpoch : undefined,
    ),
  };
}

export function decodeDecisionReply(raw: Wire): DecisionLookup {
  if (raw.state === 'decided') {
    const d = obj(raw.decision);
    const decision: DecisionRecord = {
      group: str(d.group) ?? '',
      epoch: num(d.epoch),
      commit: d.commit === true,
      decidedAt: num(d.decidedAt),
      ...optional('reason', str(d.reason)),
      ...optional('culprit', str(d.culprit)),
    };
    return { state: 'decided', decision };
  }
  return raw.state === 'pending' ? { state: 'pending' } : { state: 'unknown' };
}
