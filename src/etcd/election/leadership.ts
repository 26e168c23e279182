import { CohortError, ErrorCode } from '../../core/errors.js';
import type { JsonValue } from '../json-value.js';
import type { Condition, WriteOp, WriteResult } from '../kv/records.js';
import type { KeptLease } from '../lease/kept-lease.js';
import { watchRange, type WatchHandle } from '../watch/watch-range.js';
import type { ElectionContext } from './context.js';

/**
 * Being the leader: writes fenced on the election key, and `lost`/`signal` that fire as soon as
 * the lease cannot be confirmed alive or the key is deleted or taken over.
 */
export class Leadership {
  readonly lost: Promise<CohortError>;
  private readonly controller = new AbortController();
  private resolveLost!: (error: CohortError) => void;
  private readonly watch: WatchHandle;

  constructor(
    private readonly context: ElectionContext,
    private readonly lease: KeptLease,
    /** The election key; every write is fenced on it. */
    readonly key: string,
    readonly createRevision: number,
    readonly value: JsonValue,
    watchFrom: number,
  ) {
    this.lost = new Promise((resolve) => (this.resolveLost = resolve));
    lease.signal.addEventListener(
      'abort',
      () => this.lose(String((lease.signal.reason as Error).message)),
      {
        once: true,
      },
    );
    this.watch = watchRange(context.pool, {
      key: Buffer.from(key),
      startRevision: watchFrom,
      onEvents: (events) => {
        for (const event of events) {
          if (event.type === 'DELETE') this.lose(`election key ${key} was deleted`);
          else if (event.kv?.lease !== lease.id) this.lose(`election key ${key} was taken over`);
        }
      },
      onError: (error) => this.lose(error.message),
    });
    if (lease.signal.aborted) this.lose(String((lease.signal.reason as Error).message));
  }

  /** The lease ID in hex, as in the key. */
  get leaseId(): string {
    return this.lease.hexId;
  }

  /** Aborted, with a COHORT_ERR_NOT_LEADER error as reason, once this replica no longer leads. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /**
   * All ops atomically, and only while this replica's election key is still the one it won with
   * (and each condition's record is as given).
   */
  async write(ops: readonly WriteOp[], conditions?: readonly Condition[]): Promise<WriteResult> {
    if (this.signal.aborted) throw this.signal.reason as CohortError;
    try {
      return await this.context.kv.write(
        ops,
        { key: this.key, createRevision: this.createRevision },
        conditions,
      );
    } catch (error) {
      if (error instanceof CohortError && error.code === ErrorCode.NotLeader)
        this.lose(error.message);
      throw error;
    }
  }

  /** Steps down: the key goes with the lease, so the next contender leads at once. */
  async resign(): Promise<void> {
    this.lose('resigned');
    await this.lease.revoke();
  }

  private lose(reason: string): void {
    if (this.controller.signal.aborted) return;
    const error = new CohortError(
      ErrorCode.NotLeader,
      `no longer the leader (${this.key}): ${reason}`,
      {
        details: { electionKey: this.key, createRevision: this.createRevision },
      },
    );
    this.watch?.cancel();
    this.controller.abort(error);
    this.resolveLost(error);
    // The lease holds nothing else: dropping it frees the key for the next contender.
    void this.lease.revoke();
  }
}
