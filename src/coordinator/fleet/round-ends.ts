import type { MachineEvent } from '../protocol/effects.js';
import type { MachineRunner } from '../server/machine-runner.js';

/** How a round ended: permanent (every member completed), committed only, or aborted. */
export type RoundEnd =
  | { outcome: 'permanent' }
  | { outcome: 'committed'; reason?: string }
  | { outcome: 'aborted'; reason: string; culprit?: string };

/** Resolves each round's end once it is recorded; ask before the round can end. */
export class RoundEnds {
  private readonly waiting = new Map<string, (end: RoundEnd) => void>();

  constructor(runner: MachineRunner) {
    runner.onEvent((event) => this.hear(event));
  }

  /** The end of the round `epoch` of `group`; ask in the same step that opens it. */
  expect(group: string, epoch: number): Promise<RoundEnd> {
    return new Promise((resolve) => this.waiting.set(key(group, epoch), resolve));
  }

  private hear(event: MachineEvent): void {
    if (event.type !== 'round-closed' && event.type !== 'round-aborted') return;
    const resolve = this.waiting.get(key(event.group, event.epoch));
    if (resolve === undefined) return;
    this.waiting.delete(key(event.group, event.epoch));
    if (event.type === 'round-aborted') {
      resolve({
        outcome: 'aborted',
        reason: event.reason,
        ...(event.culprit === undefined ? {} : { culprit: event.culprit }),
      });
    } else if (event.permanent) resolve({ outcome: 'permanent' });
    else
      resolve({
        outcome: 'committed',
        ...(event.reason === undefined ? {} : { reason: event.reason }),
      });
  }
}

function key(group: string, epoch: number): string {
  return `${group}\u0000${epoch}`;
}
