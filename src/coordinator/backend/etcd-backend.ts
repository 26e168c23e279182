import { toCohortError } from '../../core/errors.js';
import type { EtcdClient, Leadership } from '../../etcd/index.js';
import type { LogRecord } from '../protocol/records.js';
import type { Logger } from '../server/logger.js';
import type { StateBackend } from '../server/machine-runner.js';
import { projectRecord, type RecoveryIndex } from './project.js';
import { recoveryIndex, replayOrder } from './replay-order.js';

/** What a new leader reads from etcd before it serves: current state, in replay order. */
export interface LoadedState {
  records: LogRecord[];
  recoveries: RecoveryIndex;
  /** The etcd revision everything was read at. */
  revision: number;
  /** How many etcd keys that was. */
  keys: number;
}

/** Reads the installation's records at one revision; the caller leads, so nothing else writes. */
export async function loadState(etcd: EtcdClient): Promise<LoadedState> {
  const loaded = await etcd.load('');
  return {
    records: replayOrder(loaded.records),
    recoveries: recoveryIndex(loaded.records),
    revision: loaded.revision,
    keys: loaded.records.length,
  };
}

/**
 * The coordinator's records in etcd, written only through the leadership that won them: every
 * txn is fenced on the election key, so a deposed leader's late write is refused by etcd itself.
 * `append` resolves once etcd has committed the record (a raft majority, fsync'd).
 */
export class EtcdBackend implements StateBackend {
  constructor(
    private readonly leadership: Pick<Leadership, 'write'>,
    private readonly recoveries: RecoveryIndex,
    private readonly logger: Logger,
  ) {}

  async append(record: LogRecord): Promise<void> {
    for (const write of projectRecord(record, this.recoveries)) {
      try {
        await this.leadership.write(write.ops, write.conditions);
      } catch (error) {
        const failure = toCohortError(error);
        this.logger.warn(
          { code: failure.code, record: record.type, ...about(record), message: failure.message },
          'etcd-write-failed',
        );
        throw failure;
      }
    }
  }
}

function about(record: LogRecord): { group?: string; epoch?: number } {
  if ('epoch' in record) return { group: record.group, epoch: record.epoch };
  if ('group' in record) return { group: record.group };
  return {};
}
