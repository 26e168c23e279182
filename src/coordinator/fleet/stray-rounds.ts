import type { MachineEvent } from '../protocol/effects.js';
import type { MachineRunner } from '../server/machine-runner.js';

/**
 * While the fleet operates on a group, every round of that group is one the fleet opened. A
 * member whose engine reaches the coordinator only after the operation's round ended (aborted
 * when another node failed) opens a new round by joining; it would wait there for members that
 * never come (up to the join deadline) while the operation waits for that member's node. Such a
 * round is aborted as soon as it opens.
 */
export class StrayRounds {
  private readonly operated = new Map<string, Set<number>>();

  constructor(
    runner: MachineRunner,
    private readonly abort: (group: string, epoch: number, reason: string) => Promise<void>,
  ) {
    runner.onEvent((event) => this.hear(event));
  }

  /** Runs one operation on `group`; rounds it opens must be claimed (in the opening step). */
  async around<T>(group: string, body: () => Promise<T>): Promise<T> {
    this.operated.set(group, new Set());
    try {
      return await body();
    } finally {
      this.operated.delete(group);
    }
  }

  /** The fleet opened this round: called in the step that opens it, before its event is heard. */
  claim(group: string, epoch: number): void {
    this.operated.get(group)?.add(epoch);
  }

  private hear(event: MachineEvent): void {
    if (event.type !== 'round-opened') return;
    const claimed = this.operated.get(event.group);
    if (claimed === undefined || claimed.has(event.epoch)) return;
    void this.abort(
      event.group,
      event.epoch,
      `a member opened round ${event.epoch} after the round it was sent to had ended; the coordinator runs this group's rounds`,
    ).catch(() => undefined);
  }
}
