import { CohortError, ErrorCode } from '../../core/errors.js';

/** Never two operations on one group at once: a checkpoint, a restore or a recovery. */
export class GroupLocks {
  private readonly held = new Map<string, { what: string; done: Promise<void> }>();

  /** What holds the group now, if anything. */
  holder(group: string): string | undefined {
    return this.held.get(group)?.what;
  }

  /** Runs `body` holding the group; refused at once (RoundBusy) when something holds it. */
  async tryRun<T>(group: string, what: string, body: () => Promise<T>): Promise<T> {
    const holder = this.holder(group);
    if (holder !== undefined) {
      throw new CohortError(
        ErrorCode.RoundBusy,
        `group ${group} is busy with ${holder}; try again once it ends`,
        { details: { group } },
      );
    }
    return this.hold(group, what, body);
  }

  /** Runs `body` once the group is free (a recovery waits for the round that failed to end). */
  async run<T>(group: string, what: string, body: () => Promise<T>): Promise<T> {
    for (
      let current = this.held.get(group);
      current !== undefined;
      current = this.held.get(group)
    ) {
      await current.done;
    }
    return this.hold(group, what, body);
  }

  private async hold<T>(group: string, what: string, body: () => Promise<T>): Promise<T> {
    let release = (): void => undefined;
    const done = new Promise<void>((resolve) => (release = resolve));
    this.held.set(group, { what, done });
    try {
      return await body();
    } finally {
      this.held.delete(group);
      release();
    }
  }
}
