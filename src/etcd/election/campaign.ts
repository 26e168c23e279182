import { CohortError, ErrorCode, toCohortError } from '../../core/errors.js';
import { sleep } from '../connection/call.js';
import { encodeJson, type JsonValue } from '../json-value.js';
import { KeptLease } from '../lease/kept-lease.js';
import { toNumber } from '../wire/numbers.js';
import type { ElectionContext } from './context.js';
import { Leadership } from './leadership.js';
import { waitForDelete } from './wait-for-delete.js';

export interface CampaignOptions {
  /** Gives up the campaign: it rejects with the signal's reason and leaves no key behind. */
  signal?: AbortSignal;
  /** Told of each passing failure the campaign rides out (etcd unreachable, lease lost while waiting). */
  onRetry?: (error: CohortError) => void;
}

// Failures that a later attempt may not meet: the campaign starts over with a new lease.
const PASSING = new Set<string>([
  ErrorCode.EtcdUnreachable,
  ErrorCode.EtcdNoQuorum,
  ErrorCode.NotLeader,
]);

/** Resolves once this contender leads; waits as long as it takes, riding out passing failures. */
export async function campaign(
  context: ElectionContext,
  value: JsonValue,
  options: CampaignOptions = {},
): Promise<Leadership> {
  let backoffMs = 100;
  for (;;) {
    options.signal?.throwIfAborted();
    try {
      return await campaignOnce(context, value, options.signal);
    } catch (error) {
      options.signal?.throwIfAborted();
      const failure = toCohortError(error);
      if (!PASSING.has(failure.code)) throw failure;
      options.onRetry?.(failure);
      await sleep(backoffMs, options.signal);
      backoffMs = Math.min(backoffMs * 2, 1000);
    }
  }
}

/** etcd's recipe: put our key if absent, then wait for every key created before it to go. */
async function campaignOnce(
  context: ElectionContext,
  value: JsonValue,
  signal: AbortSignal | undefined,
): Promise<Leadership> {
  const { settings, keyspace, kv } = context;
  const lease = await KeptLease.grant(
    context.pool,
    settings.leaseTtlSeconds,
    settings.keepAliveIntervalMs,
  );
  try {
    const key = keyspace.electionKey(lease.id);
    const keyBytes = Buffer.from(key);
    const put = await kv.txn(
      {
        compare: [{ key: keyBytes, target: 'CREATE', result: 'EQUAL', createRevision: '0' }],
        success: [{ requestPut: { key: keyBytes, value: encodeJson(value), lease: lease.id } }],
        failure: [{ requestRange: { key: keyBytes } }],
      },
      'campaign',
    );
    // A retried txn that had landed finds our own key: its create revision is the one that counts.
    const existing = put.responses[0]?.responseRange?.kvs[0]?.createRevision;
    const createRevision = toNumber(
      put.succeeded ? put.header?.revision : existing,
      'createRevision',
    );
    await waitForTurn(context, createRevision, [
      lease.signal,
      ...(signal === undefined ? [] : [signal]),
    ]);
    // Our key must have outlived the wait: a lease that lapsed meanwhile took it along.
    const check = await kv.range({ key: keyBytes }, 'confirm leadership');
    const own = check.kvs[0];
    if (own === undefined || toNumber(own.createRevision, 'createRevision') !== createRevision) {
      throw new CohortError(
        ErrorCode.NotLeader,
        `election key ${key} vanished while waiting for its turn`,
        {
          details: { electionKey: key },
        },
      );
    }
    const watchFrom = toNumber(check.header?.revision, 'header.revision') + 1;
    return new Leadership(context, lease, key, createRevision, value, watchFrom);
  } catch (error) {
    await lease.revoke();
    throw error;
  }
}

async function waitForTurn(
  context: ElectionContext,
  createRevision: number,
  signals: AbortSignal[],
): Promise<void> {
  for (;;) {
    for (const signal of signals) signal.throwIfAborted();
    const reply = await context.kv.range(
      {
        ...context.keyspace.electionRange(),
        maxCreateRevision: String(createRevision - 1),
        sortOrder: 'DESCEND',
        sortTarget: 'CREATE',
        limit: '1',
      },
      'wait for the leader to go',
    );
    const ahead = reply.kvs[0];
    if (ahead === undefined) return;
    const from = toNumber(reply.header?.revision, 'header.revision') + 1;
    await waitForDelete(context.pool, ahead.key, from, signals);
  }
}
