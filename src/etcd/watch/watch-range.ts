import type * as grpc from '@grpc/grpc-js';
import { CohortError, ErrorCode } from '../../core/errors.js';
import type { EndpointClients, EndpointPool } from '../connection/endpoint-pool.js';
import { toNumber } from '../wire/numbers.js';
import type { WatchEvent, WatchRequest, WatchResponse } from '../wire/types.js';

type WatchStream = grpc.ClientDuplexStream<WatchRequest, WatchResponse>;

export interface WatchRangeOptions {
  key: Buffer;
  /** Absent: the one key. */
  rangeEnd?: Buffer;
  /** The first revision to report, inclusive. */
  startRevision: number;
  onEvents: (events: WatchEvent[]) => void;
  /** The watch cannot go on (its start revision was compacted); it has stopped. */
  onError: (error: CohortError) => void;
}

export interface WatchHandle {
  cancel(): void;
}

const MAX_RETRY_MS = 1000;

/**
 * A watch that survives a member going away: it reopens on the next member from the revision
 * after the last event it delivered, so no event is lost or repeated.
 */
export function watchRange(pool: EndpointPool, options: WatchRangeOptions): WatchHandle {
  let next = options.startRevision;
  let stream: WatchStream | undefined;
  let retryMs = 50;
  let timer: NodeJS.Timeout | undefined;
  let cancelled = false;

  const stop = (): void => {
    cancelled = true;
    forgetClose();
    if (timer !== undefined) clearTimeout(timer);
    const current = stream;
    stream = undefined;
    current?.cancel();
  };

  const reopen = (failed: EndpointClients, opened: WatchStream): void => {
    if (cancelled || opened !== stream) return;
    stream = undefined;
    opened.cancel();
    pool.advance(failed);
    timer = setTimeout(open, retryMs);
    retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
  };

  const onResponse = (
    clients: EndpointClients,
    opened: WatchStream,
    reply: WatchResponse,
  ): void => {
    if (cancelled || opened !== stream) return;
    if (reply.created) retryMs = 50;
    if (reply.canceled) {
      const compacted = toNumber(reply.compactRevision, 'compactRevision');
      if (compacted > 0) {
        stop();
        options.onError(
          new CohortError(
            ErrorCode.Store,
            `etcd compacted revision ${next} away before the watch on ${options.key.toString()} read it (compacted up to ${compacted}): read the current state again`,
            {
              details: { key: options.key.toString(), revision: next, compactRevision: compacted },
            },
          ),
        );
        return;
      }
      // Canceled for another reason (the member lost its leader): go on elsewhere.
      reopen(clients, opened);
      return;
    }
    const last = reply.events.at(-1);
    if (last === undefined) return;
    next = toNumber(last.kv?.modRevision, 'modRevision') + 1;
    options.onEvents(reply.events);
  };

  function open(): void {
    if (cancelled) return;
    const clients = pool.current();
    const opened = clients.watch.watch(pool.metadata());
    stream = opened;
    opened.on('data', (reply: WatchResponse) => onResponse(clients, opened, reply));
    opened.on('error', () => reopen(clients, opened));
    opened.on('end', () => reopen(clients, opened));
    opened.write({
      createRequest: {
        key: options.key,
        ...(options.rangeEnd === undefined ? {} : { rangeEnd: options.rangeEnd }),
        startRevision: String(next),
      },
    });
  }

  const forgetClose = pool.onClose(stop);
  open();
  return { cancel: stop };
}
