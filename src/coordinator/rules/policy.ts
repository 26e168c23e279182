/** What a group's operators ask of cohort between rounds: when, where, how many, and on failure. */
export interface GroupPolicy {
  /** Checkpoint on this interval; none: only when asked. */
  intervalMs?: number;
  /** Where committed checkpoints are stored: `dir:/path` or `oci://host[:port]/repo`. */
  store?: string;
  /** Stored checkpoints kept per group; the latest is never deleted. */
  keep: number;
  /** When a member dies or its node is lost: restore the group, or leave it to a person. */
  onFailure: 'restore' | 'none';
  /** Scheduled checkpoints leave the group running (stopping it each interval would be preemption). */
  leaveRunning: boolean;
  tcpEstablished: boolean;
  fileLocks: boolean;
}

export const DEFAULT_KEEP = 3;

export const DEFAULT_POLICY: Readonly<GroupPolicy> = Object.freeze({
  keep: DEFAULT_KEEP,
  onFailure: 'none',
  leaveRunning: true,
  tcpEstablished: false,
  fileLocks: false,
});

/** Bounds on retries: an aborted round is tried again after 1 s, 2 s, 4 s … at most 5 minutes. */
export const RETRY = { baseMs: 1_000, maxMs: 300_000 } as const;

/** Recoveries of one group in a window beyond which cohort stops and asks a person. */
export const RECOVERY_LIMIT = { count: 3, windowMs: 600_000 } as const;
