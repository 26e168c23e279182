import type { MachineRunner } from '../server/machine-runner.js';
import type { Logger } from '../server/logger.js';
import type { RoundKind } from '../types.js';
import type { AgentRegistry } from './agents.js';
import type { RoundEnd, RoundEnds } from './round-ends.js';

/** What every group operation uses: the agents, the machine (through its runner), the clock. */
export interface FleetContext {
  registry: AgentRegistry;
  runner: MachineRunner;
  logger: Logger;
  clock: () => number;
  /** Opens a round of these members; `end` resolves once it is recorded as ended. */
  openRound(spec: {
    group: string;
    kind: RoundKind;
    members: string[];
    checkpointEpoch?: number;
  }): Promise<{ epoch: number; end: Promise<RoundEnd> }>;
  /** Aborts the round if it is still undecided (a member could not start). */
  abortRound(group: string, epoch: number, reason: string, culprit?: string): Promise<void>;
}

export function makeFleetContext(
  registry: AgentRegistry,
  runner: MachineRunner,
  ends: RoundEnds,
  logger: Logger,
  clock: () => number,
  claim: (group: string, epoch: number) => void = () => undefined,
): FleetContext {
  return {
    registry,
    runner,
    logger,
    clock,
    openRound: (spec) =>
      runner.mutate((m, now) => {
        const { epoch, effects } = m.openRound(spec, now);
        claim(spec.group, epoch);
        return { value: { epoch, end: ends.expect(spec.group, epoch) }, effects };
      }),
    abortRound: (group, epoch, reason, culprit) =>
      runner.mutate((m, now) => ({
        value: undefined,
        effects: m.abortRound(group, epoch, reason, culprit, now),
      })),
  };
}
