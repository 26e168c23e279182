import type { LocalMember } from '../../engines/engine.js';
import type { BusyMembers } from '../busy.js';
import type { AgentOptions } from '../options.js';
import type { Stores } from '../stores.js';

/** What every command handler uses. */
export interface CommandContext {
  o: AgentOptions;
  stores: Stores;
  busy: BusyMembers;
  /** The node's members now, asked of the engines. */
  members(): Promise<LocalMember[]>;
  /** Tells the coordinator what runs now (after work that changed it). */
  refresh(): Promise<void>;
}
