import type { GroupPolicy } from '../rules/policy.js';
import type {
  GroupManifest,
  RecoveryRecord,
  RoundKind,
  StageName,
  StoredCheckpointRecord,
} from '../types.js';

/** What the coordinator writes to its log; replaying these rebuilds everything but live sessions. */
export type LogRecord =
  | { type: 'group-applied'; at: number; manifest: GroupManifest }
  | { type: 'group-deleted'; at: number; name: string }
  | RoundOpenedRecord
  | RoundDecidedRecord
  | RoundClosedRecord
  | { type: 'policy-set'; at: number; group: string; policy: GroupPolicy }
  /** Written only once every member's archive is in the store and the store committed it. */
  | { type: 'checkpoint-stored'; at: number; checkpoint: StoredCheckpointRecord }
  | { type: 'checkpoints-pruned'; at: number; group: string; location: string; epochs: number[] }
  | { type: 'recovery'; at: number; recovery: RecoveryRecord };

/** Written before the welcome that carries its epoch, so an epoch is never handed out twice. */
export interface RoundOpenedRecord {
  type: 'round-opened';
  at: number;
  group: string;
  epoch: number;
  roundId: string;
  kind: RoundKind;
  expected: number;
  members?: string[];
  checkpointEpoch?: number;
}

/** Commit or abort: written and synced before any member hears it. */
export interface RoundDecidedRecord {
  type: 'round-decided';
  at: number;
  group: string;
  epoch: number;
  commit: boolean;
  reason?: string;
  culprit?: string;
  members: string[];
  imageLocations: Record<string, string>;
  stageDurationsMs: Partial<Record<StageName, number>>;
}

/** After a commit: every member reported, or the complete deadline passed. */
export interface RoundClosedRecord {
  type: 'round-closed';
  at: number;
  group: string;
  epoch: number;
  permanent: boolean;
  reason?: string;
  culprit?: string;
  members: string[];
  imageLocations: Record<string, string>;
  stageDurationsMs: Partial<Record<StageName, number>>;
}
