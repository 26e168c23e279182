import type { BarrierStage, RoundKind } from '../types.js';
import type { ConnId } from './effects.js';

export interface JoinFields {
  group: string;
  member: string;
  kind: RoundKind;
  declaredSize?: number;
  declaredMembers?: string[];
  checkpointEpoch?: number;
  heartbeatMs?: number;
  imageLocation?: string;
}

/** One message from a member's stream, already validated; `seq` ties an error to its request. */
export type StreamInput =
  | { type: 'join'; conn: ConnId; seq: number; join: JoinFields }
  | { type: 'arrive'; conn: ConnId; seq: number; epoch: number; stage: BarrierStage }
  | { type: 'vote'; conn: ConnId; seq: number; epoch: number; ok: boolean; reason?: string }
  | { type: 'heartbeat'; conn: ConnId; seq: number; epoch: number }
  | {
      type: 'complete';
      conn: ConnId;
      seq: number;
      epoch: number;
      ok: boolean;
      imageLocation?: string;
      reason?: string;
    }
  | { type: 'fail'; conn: ConnId; seq: number; epoch: number; reason: string };

/** Everything that can move the machine, each stamped with the caller's clock. */
export type Input =
  | (StreamInput & { now: number })
  | { type: 'disconnect'; conn: ConnId; reason: string; now: number }
  | { type: 'tick'; now: number }
  | { type: 'shutdown'; now: number };

/** A completion reported by unary call, after the member's stream was lost. */
export interface CompleteReport {
  group: string;
  epoch: number;
  member: string;
  ok: boolean;
  imageLocation?: string;
  reason?: string;
}
