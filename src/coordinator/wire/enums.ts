import type { BarrierStage, RoundKind } from '../types.js';

export const KIND_FROM_WIRE: Record<string, RoundKind> = {
  CHECKPOINT: 'checkpoint',
  RESTORE: 'restore',
};
export const KIND_TO_WIRE: Record<RoundKind, string> = {
  checkpoint: 'CHECKPOINT',
  restore: 'RESTORE',
};
export const STAGE_FROM_WIRE: Record<string, BarrierStage> = {
  READY: 'ready',
  FROZEN: 'frozen',
  RESUMED: 'resumed',
};
export const STAGE_TO_WIRE: Record<BarrierStage, string> = {
  ready: 'READY',
  frozen: 'FROZEN',
  resumed: 'RESUMED',
};
