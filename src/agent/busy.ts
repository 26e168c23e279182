/**
 * Members the agent is working on (a checkpoint that stops them, a removal, a restore): their
 * stopping is the work's doing, not a death, and must not trigger a recovery.
 */
export class BusyMembers {
  private readonly held = new Map<string, number>();

  async around<T>(keys: readonly string[], body: () => Promise<T>): Promise<T> {
    for (const key of keys) this.held.set(key, (this.held.get(key) ?? 0) + 1);
    try {
      return await body();
    } finally {
      for (const key of keys) {
        const left = (this.held.get(key) ?? 1) - 1;
        if (left === 0) this.held.delete(key);
        else this.held.set(key, left);
      }
    }
  }

  has(key: string): boolean {
    return this.held.has(key);
  }
}

export function memberKey(group: string, member: string): string {
  return `${group}/${member}`;
}
