import type { EtcdRecord } from '../../etcd/index.js';
import type { LogRecord } from '../protocol/records.js';
import type { RecoveryRecord, StoredCheckpointRecord } from '../types.js';
import { KEY } from './keys.js';
import type { RecoveryIndex } from './project.js';

type Stored = Extract<LogRecord, { type: 'checkpoint-stored' }>;

/**
 * The records to replay so that a machine fed them knows what one fed the whole log would:
 * manifests and policies (in the order they were first written, as the machine lists them);
 * the stored-checkpoint list (by epoch, then in the order written);
 * each round's records in the order written, a pruned store entry pruned again; recoveries.
 * A round's own keys are ordered by etcd's mod revision: its latest stored record may come
 * before or after its closed record, and whichever came last decides the outcome it shows.
 */
export function replayOrder(records: readonly EtcdRecord[]): LogRecord[] {
  const byKind = (prefix: string) => records.filter((r) => r.key.startsWith(prefix));
  const values = (list: EtcdRecord[]) => list.map((r) => r.value as unknown as LogRecord);
  const listed = new Set(byKind('stored/').map((r) => r.key));
  const byCreation = (a: EtcdRecord, b: EtcdRecord) => a.createRevision - b.createRevision;
  const out: LogRecord[] = [
    ...values(byKind('groups/').sort(byCreation)),
    ...values(byKind('policies/').sort(byCreation)),
  ];
  out.push(...values(byKind('stored/').sort(byEpochThenWritten)));
  for (const round of groupRounds(byKind('rounds/'))) {
    for (const entry of round.sort((a, b) => a.modRevision - b.modRevision)) {
      const record = entry.value as unknown as LogRecord;
      out.push(record);
      if (record.type === 'checkpoint-stored' && !listed.has(storedKey(record.checkpoint)))
        out.push(prunedAgain(record));
    }
  }
  out.push(...values(byKind('recoveries/')));
  return out;
}

/** Which recoveries each group has, as loaded: the backend trims them as the machine does. */
export function recoveryIndex(records: readonly EtcdRecord[]): RecoveryIndex {
  const index: RecoveryIndex = new Map();
  for (const record of records) {
    if (!record.key.startsWith('recoveries/')) continue;
    const { group, startedAt } = record.value as unknown as RecoveryRecord;
    const known = index.get(group) ?? new Set<number>();
    known.add(startedAt);
    index.set(group, known);
  }
  return index;
}

function byEpochThenWritten(a: EtcdRecord, b: EtcdRecord): number {
  const epoch = (r: EtcdRecord) => (r.value as unknown as Stored).checkpoint.epoch;
  return epoch(a) - epoch(b) || a.modRevision - b.modRevision;
}

/** Keys rounds/<group>/<epoch>/<part>, already in group and epoch order: one list per round. */
function groupRounds(records: EtcdRecord[]): EtcdRecord[][] {
  const rounds = new Map<string, EtcdRecord[]>();
  for (const record of records) {
    const round = record.key.slice(0, record.key.lastIndexOf('/'));
    const list = rounds.get(round) ?? [];
    list.push(record);
    rounds.set(round, list);
  }
  return [...rounds.values()];
}

function storedKey(checkpoint: StoredCheckpointRecord): string {
  return KEY.stored(checkpoint.group, checkpoint.epoch, checkpoint.location);
}

/** Replaying the round's stored record lists it again; it had been pruned since. */
function prunedAgain(record: Stored): LogRecord {
  const { group, location, epoch } = record.checkpoint;
  return { type: 'checkpoints-pruned', at: record.at, group, location, epochs: [epoch] };
}
