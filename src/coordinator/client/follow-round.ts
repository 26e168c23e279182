import { setTimeout as sleep } from 'node:timers/promises';
import type { CoordinatorClient } from '../client.js';
import type { OpenRoundStatus } from '../types.js';

export interface FollowOptions {
  client: CoordinatorClient;
  group: string;
  /** Rounds up to this epoch are older than the operation being followed. */
  afterEpoch: number;
  intervalMs: number;
  onRound(round: OpenRoundStatus): void;
}

export interface Follower {
  /** Polls once more (the last stages may have passed since the last poll), then stops. */
  stop(): Promise<void>;
}

/** Polls the coordinator's status and reports each new round of the group as it moves. */
export function followRound(options: FollowOptions): Follower {
  const stopping = new AbortController();
  const poll = async (): Promise<void> => {
    try {
      const reply = await options.client.status(options.group);
      const round = reply.groups.find((group) => group.name === options.group)?.openRound;
      if (round !== undefined && round.epoch > options.afterEpoch) options.onRound(round);
    } catch {
      // Progress is a courtesy: the outcome is read from the history at the end.
    }
  };
  const loop = (async () => {
    while (!stopping.signal.aborted) {
      await poll();
      try {
        await sleep(options.intervalMs, undefined, { signal: stopping.signal });
      } catch {
        // stop() was called.
      }
    }
  })();
  return {
    async stop() {
      stopping.abort();
      await loop;
    },
  };
}
