import type { EtcdRecord, JsonValue } from '../../../src/etcd/index.js';
import type { KeyedWrite } from '../../../src/coordinator/backend/project.js';

/**
 * A fake of etcd's keyspace (named as such): keys, values and mod revisions, with writes that
 * apply all-or-nothing under their conditions, as etcd's txn does. For the pure replay test;
 * the real etcd runs in the replicas tier.
 */
export class MemoryKeyspace {
  private revision = 1;
  private readonly keys = new Map<
    string,
    { value: JsonValue; createRevision: number; modRevision: number }
  >();
  readonly refused: string[] = [];

  write(write: KeyedWrite): void {
    for (const condition of write.conditions) {
      const now = this.keys.get(condition.key)?.modRevision ?? 0;
      if (now !== condition.modRevision) {
        this.refused.push(`${condition.key}: expected ${condition.modRevision}, found ${now}`);
        return;
      }
    }
    this.revision += 1;
    for (const op of write.ops) {
      if (op.type === 'put') {
        const createRevision = this.keys.get(op.key)?.createRevision ?? this.revision;
        const value = structuredClone(op.value);
        this.keys.set(op.key, { value, createRevision, modRevision: this.revision });
      } else if (op.type === 'delete') this.keys.delete(op.key);
      else
        for (const key of [...this.keys.keys()])
          if (key.startsWith(op.prefix)) this.keys.delete(key);
    }
  }

  /** Everything in key order, as etcd's range returns it. */
  load(): EtcdRecord[] {
    return [...this.keys.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, { value, createRevision, modRevision }]) => ({
        key,
        value: structuredClone(value),
        createRevision,
        modRevision,
        version: 1,
      }));
  }

  get size(): number {
    return this.keys.size;
  }
}
