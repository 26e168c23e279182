import { openStore, parseStoreLocation, type CheckpointStore } from '../store/index.js';
import type { AgentOptions } from './options.js';

/** One open store per location: its registry connection and tokens are reused. */
export class Stores {
  private readonly open = new Map<string, CheckpointStore>();

  constructor(private readonly o: AgentOptions) {}

  at(location: string): CheckpointStore {
    let store = this.open.get(location);
    if (store === undefined) {
      store = openStore(parseStoreLocation(location, 'store'), {
        env: { ...this.o.env },
        ...this.o.store,
      });
      this.open.set(location, store);
    }
    return store;
  }
}
