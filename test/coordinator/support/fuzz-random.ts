/** A small seeded generator (mulberry32): the same seed replays the same run. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  subset<T>(items: readonly T[]): T[] {
    return items.filter(() => this.chance(0.5));
  }

  /** Anything a decoder might be handed: valid-looking and hostile values alike. */
  value(depth = 0): unknown {
    switch (this.int(0, depth > 2 ? 6 : 9)) {
      case 0:
        return undefined;
      case 1:
        return null;
      case 2:
        return this.chance(0.5);
      case 3:
        return this.pick([0, 1, 2, -1, 1.5, 2 ** 53, 0xffffffff, NaN, Infinity, this.int(0, 100)]);
      case 4:
        return this.pick([
          '',
          'a',
          'm0',
          'g',
          'READY',
          'FROZEN',
          'RESUMED',
          'CHECKPOINT',
          'RESTORE',
          'bad name',
          'x'.repeat(70),
        ]);
      case 5:
        return this.string();
      case 6:
        return this.int(1, 5);
      case 7:
        return Array.from({ length: this.int(0, 4) }, () => this.value(depth + 1));
      default:
        return this.object(
          [
            'group',
            'member',
            'kind',
            'epoch',
            'stage',
            'ok',
            'reason',
            'name',
            'members',
            'size',
            'declaredSize',
            'declaredMembers',
            'checkpointEpoch',
            'heartbeatMs',
            'imageLocation',
            'seq',
            'junk',
          ],
          depth + 1,
        );
    }
  }

  object(keys: readonly string[], depth = 0): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    for (const key of this.subset(keys)) result[key] = this.value(depth);
    return result;
  }

  string(): string {
    const alphabet = 'abcXYZ019._-/ !\u00e9\u0000';
    return Array.from({ length: this.int(0, 12) }, () => this.pick([...alphabet])).join('');
  }

  bytes(): Buffer {
    return Buffer.from(Array.from({ length: this.int(0, 64) }, () => this.int(0, 255)));
  }
}

export function fuzzSettings(): { seconds: number; seed: number } {
  const seconds = Number(process.env.COHORT_FUZZ_SECONDS ?? '2');
  const seed = Number(process.env.COHORT_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
  return { seconds: Number.isFinite(seconds) && seconds > 0 ? seconds : 2, seed };
}
