import type { Effects } from './effects.js';
import type { MachineState } from './state.js';

/** What every handler gets: the state to change, the input's clock, and where effects go. */
export interface Ctx {
  state: MachineState;
  now: number;
  fx: Effects;
}
