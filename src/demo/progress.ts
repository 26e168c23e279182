import type { CoordinatorClient } from '../coordinator/client.js';

/** Prints each member's stage as the coordinator sees it, one line per change. */
export function followRound(
  client: CoordinatorClient,
  group: string,
  label: string,
  print: (line: string) => void,
  intervalMs = 25,
): () => void {
  const seen = new Map<string, string>();
  let stopped = false;
  const poll = async (): Promise<void> => {
    while (!stopped) {
      try {
        const status = await client.status(group);
        const round = status.groups.find((g) => g.name === group)?.openRound;
        for (const member of round?.members ?? []) {
          if (seen.get(member.name) !== member.stage) {
            seen.set(member.name, member.stage);
            print(`  [${label}] ${member.name.padEnd(9)} ${member.stage}`);
          }
        }
      } catch {
        // Progress is a view; the operation reports its own failures.
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  };
  void poll();
  return () => {
    stopped = true;
  };
}
