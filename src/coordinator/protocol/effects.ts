import type { CohortError } from '../../core/errors.js';
import type { BarrierStage, Deadlines, RoundKind, StageName } from '../types.js';
import type { LogRecord } from './records.js';

/** A member session's stream, numbered by the server. */
export type ConnId = number;

/** What the coordinator tells a member on its stream. */
export type OutMessage =
  | {
      type: 'welcome';
      epoch: number;
      roundId: string;
      kind: RoundKind;
      members: string[];
      expected: number;
      deadlines: Deadlines;
    }
  | {
      type: 'release';
      epoch: number;
      stage: BarrierStage;
      /** The full set, on the ready release to members who did not have it yet; else empty. */
      members: string[];
      forced: boolean;
    }
  | { type: 'decision'; epoch: number; commit: boolean; reason?: string; culprit?: string }
  | { type: 'abort'; epoch: number; reason: string; culprit?: string }
  | { type: 'ack'; epoch: number; what: 'complete' }
  | { type: 'error'; seq: number; epoch?: number; error: CohortError };

/** Bounded label for the aborted-rounds metric. */
export type AbortKind =
  | 'member-failed'
  | 'vote-failed'
  | 'disconnected'
  | 'heartbeat'
  | 'deadline'
  | 'mismatch'
  | 'restart'
  | 'shutdown';

/** Facts for logs and metrics; they change nothing. */
export type MachineEvent =
  | { type: 'round-opened'; group: string; epoch: number; kind: RoundKind; expected: number }
  | { type: 'member-joined'; group: string; epoch: number; member: string }
  | {
      type: 'barrier-released';
      group: string;
      epoch: number;
      stage: BarrierStage;
      waitMs: number;
      forced: boolean;
    }
  | { type: 'round-committed'; group: string; epoch: number; kind: RoundKind }
  | {
      type: 'round-aborted';
      group: string;
      epoch: number;
      kind: RoundKind;
      abortKind: AbortKind;
      reason: string;
      culprit?: string;
    }
  | {
      type: 'round-closed';
      group: string;
      epoch: number;
      permanent: boolean;
      reason?: string;
      stageDurationsMs: Partial<Record<StageName, number>>;
    }
  | {
      type: 'member-failed-after-commit';
      group: string;
      epoch: number;
      member: string;
      reason: string;
    }
  | { type: 'refused'; group: string; member: string; code: string; message: string };

/**
 * The machine's outputs, to be carried out in order. A `persist` must be durable before any
 * later effect runs: that is how "recorded before announced" is kept.
 */
export type Effect =
  | { type: 'persist'; record: LogRecord }
  | { type: 'send'; conn: ConnId; message: OutMessage }
  | { type: 'broadcast'; conns: ConnId[]; message: OutMessage }
  | { type: 'refuse'; conn: ConnId; error: CohortError }
  | { type: 'event'; event: MachineEvent };

/** Collects effects while the machine handles one input. */
export class Effects {
  readonly list: Effect[] = [];

  persist(record: LogRecord): void {
    this.list.push({ type: 'persist', record });
  }

  send(conn: ConnId | undefined, message: OutMessage): void {
    if (conn !== undefined) this.list.push({ type: 'send', conn, message });
  }

  broadcast(conns: ConnId[], message: OutMessage): void {
    if (conns.length > 0) this.list.push({ type: 'broadcast', conns, message });
  }

  refuse(conn: ConnId, error: CohortError): void {
    this.list.push({ type: 'refuse', conn, error });
  }

  event(event: MachineEvent): void {
    this.list.push({ type: 'event', event });
  }
}
