import { toCohortError, type CohortError } from '../../core/errors.js';
import { watchRange, type WatchHandle } from '../watch/watch-range.js';
import { readLeader, type ElectionContext, type LeaderInfo } from './context.js';

export interface ObserveOptions {
  /**
   * Told of a failed read; the observer keeps trying, and the next read that succeeds reports
   * the leader again, changed or not (meanwhile it was unknown).
   */
  onError?: (error: CohortError) => void;
}

const RETRY_MS = 500;

/**
 * Calls `callback` with the current leader (undefined when none) and again on every change, for
 * followers that send clients to the leader. Returns the function that stops observing.
 */
export function observeLeader(
  context: ElectionContext,
  callback: (leader: LeaderInfo | undefined) => void,
  options: ObserveOptions = {},
): () => void {
  let stopped = false;
  let reported: string | undefined;
  let watch: WatchHandle | undefined;
  let timer: NodeJS.Timeout | undefined;
  let reading = false;
  let readAgain = false;

  // One read at a time; events that arrive meanwhile ask for one more.
  const refresh = async (): Promise<void> => {
    if (reading) {
      readAgain = true;
      return;
    }
    reading = true;
    try {
      do {
        readAgain = false;
        const { leader, revision } = await readLeader(context);
        if (stopped) return;
        const identity =
          leader === undefined ? 'none' : `${leader.key}@${JSON.stringify(leader.value)}`;
        if (identity !== reported) {
          reported = identity;
          callback(leader);
        }
        watch ??= watchRange(context.pool, {
          ...context.keyspace.electionRange(),
          startRevision: revision + 1,
          onEvents: () => void refresh(),
          onError: () => {
            // Compacted past our position: start over from a fresh read.
            watch = undefined;
            void refresh();
          },
        });
      } while (readAgain && !stopped);
    } catch (error) {
      reported = undefined;
      options.onError?.(toCohortError(error));
      if (!stopped) timer = setTimeout(() => void refresh(), RETRY_MS);
    } finally {
      reading = false;
    }
  };

  void refresh();
  return () => {
    stopped = true;
    if (timer !== undefined) clearTimeout(timer);
    watch?.cancel();
  };
}
