import type { GroupManifest, RoundKind, StageName } from '../types.js';

/** What the coordinator writes to its log; replaying these rebuilds everything but live sessions. */
export type LogRecord =
  | { type: 'group-applied'; at: number; manifest: GroupManifest }
  | { type: 'group-deleted'; at: number; name: string }
  | RoundOpenedRecord
  | RoundDecidedRecord
  | RoundClosedRecord;

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
