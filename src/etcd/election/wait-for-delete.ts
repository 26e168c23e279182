import type { CohortError } from '../../core/errors.js';
import type { EndpointPool } from '../connection/endpoint-pool.js';
import { watchRange } from '../watch/watch-range.js';

/** Resolves when `key` is deleted at `fromRevision` or later; rejects with the reason of the first signal to abort. */
export function waitForDelete(
  pool: EndpointPool,
  key: Buffer,
  fromRevision: number,
  signals: readonly AbortSignal[],
): Promise<void> {
  return new Promise((resolve, reject) => {
    const settle = (error?: unknown): void => {
      handle.cancel();
      for (const signal of signals) signal.removeEventListener('abort', onAbort);
      if (error === undefined) resolve();
      else reject(error instanceof Error ? error : new Error(String(error)));
    };
    const onAbort = (event: Event): void => settle((event.target as AbortSignal).reason);
    const handle = watchRange(pool, {
      key,
      startRevision: fromRevision,
      onEvents: (events) => {
        if (events.some((e) => e.type === 'DELETE')) settle();
      },
      onError: (error: CohortError) => settle(error),
    });
    for (const signal of signals) {
      if (signal.aborted) return settle(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
    }
  });
}
