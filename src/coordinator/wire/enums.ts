import { Kind, Stage } from '../../gen/cohort/v1/coordinator.js';
import type { BarrierStage, RoundKind } from '../types.js';

export const KIND_FROM_WIRE: ReadonlyMap<Kind, RoundKind> = new Map([
  [Kind.CHECKPOINT, 'checkpoint'],
  [Kind.RESTORE, 'restore'],
]);
export const KIND_TO_WIRE: Record<RoundKind, Kind> = {
  checkpoint: Kind.CHECKPOINT,
  restore: Kind.RESTORE,
};
export const STAGE_FROM_WIRE: ReadonlyMap<Stage, BarrierStage> = new Map([
  [Stage.READY, 'ready'],
  [Stage.FROZEN, 'frozen'],
  [Stage.RESUMED, 'resumed'],
]);
export const STAGE_TO_WIRE: Record<BarrierStage, Stage> = {
  ready: Stage.READY,
  frozen: Stage.FROZEN,
  resumed: Stage.RESUMED,
};
