import type { LogRecord, RoundDecidedRecord } from '../../../src/coordinator/protocol/records.js';
import type { StoredCheckpointRecord } from '../../../src/coordinator/types.js';
import type { EtcdClient } from '../../../src/etcd/index.js';
import { InvariantChecker } from '../../coordinator/support/invariants.js';

export interface HistoryReport {
  violations: string[];
  rounds: number;
  decisions: { group: string; epoch: number; commit: boolean; reason?: string }[];
}

/**
 * The protocol's invariant checker over what the replicas recorded in etcd, in the order etcd
 * committed it. A round's opened, decided and closed records are each written once (etcd's
 * `version` 1 proves it), so a second decision for an epoch would show; every stored checkpoint
 * must name every member of its committed round, each with a digest.
 */
export async function checkRecordedHistory(etcd: EtcdClient): Promise<HistoryReport> {
  const { records } = await etcd.load('');
  const checker = new InvariantChecker();
  const violations: string[] = [];
  const rounds = records
    .filter((r) => r.key.startsWith('rounds/') && !r.key.endsWith('/stored'))
    .sort((a, b) => a.modRevision - b.modRevision);
  for (const record of rounds) {
    if (record.version !== 1) violations.push(`${record.key} was written ${record.version} times`);
    checker.persisted(record.value as unknown as LogRecord);
  }
  const decided = new Map<string, RoundDecidedRecord>();
  for (const record of rounds) {
    const value = record.value as unknown as LogRecord;
    if (value.type === 'round-decided') decided.set(`${value.group}#${value.epoch}`, value);
    if (value.type === 'round-closed' && !decided.has(`${value.group}#${value.epoch}`))
      violations.push(`${record.key} closed a round with no decision before it`);
  }
  for (const record of records.filter((r) => r.key.startsWith('stored/'))) {
    const { checkpoint } = record.value as unknown as { checkpoint: StoredCheckpointRecord };
    const round = decided.get(`${checkpoint.group}#${checkpoint.epoch}`);
    const stored = new Set(checkpoint.members.filter((m) => m.digest !== '').map((m) => m.member));
    if (round?.commit !== true) violations.push(`${record.key} stores a round that did not commit`);
    for (const member of round?.members ?? [])
      if (!stored.has(member)) violations.push(`${record.key} lacks member ${member}`);
  }
  return {
    violations: [...checker.violations, ...violations],
    rounds: rounds.filter((r) => r.key.endsWith('/opened')).length,
    decisions: [...decided.values()].map((d) => ({
      group: d.group,
      epoch: d.epoch,
      commit: d.commit,
      ...(d.reason === undefined ? {} : { reason: d.reason }),
    })),
  };
}
