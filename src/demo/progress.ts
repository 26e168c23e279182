import type { CoordinatorClient } from '../coordinator/client.js';
import { followRound as follow } from '../coordinator/client/follow-round.js';

/** Prints each member's stage as the coordinator sees it, one line per change. */
export function followRound(
  client: CoordinatorClient,
  group: string,
  label: string,
  print: (line: string) => void,
  intervalMs = 25,
): () => Promise<void> {
  const seen = new Map<string, string>();
  const follower = follow({
    client,
    group,
    afterEpoch: 0,
    intervalMs,
    onRound: (round) => {
      for (const member of round.members) {
        if (seen.get(member.name) === member.stage) continue;
        seen.set(member.name, member.stage);
        print(`  [${label}] ${member.name.padEnd(9)} ${member.stage}`);
      }
    },
  });
  return () => follower.stop();
}
