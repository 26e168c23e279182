import { join } from 'node:path';

/**
 * Where the session host meets bin/cohort and the hook, under cohort's state dir: its pid,
 * a door FIFO to ask for channels, and single-use channels of two FIFOs each.
 */
export function sessionHostDir(stateDir: string): string {
  return join(stateDir, 'host');
}

export const HOST_FILES = {
  /** Names the host that claimed the dir; written first, with link(2), so only one claims it. */
  owner: 'owner',
  /** Names the host once it serves: front doors read it. */
  pid: 'pid',
  door: 'door',
  /** A FIFO no one writes: a front door waits on it with `read -t`, a sleep without a process. */
  idle: 'idle',
  channels: 'channels',
  staging: 'staging',
  /** In a channel: created with O_EXCL by the front door that takes it. */
  claim: 'claim',
  request: 'request',
  reply: 'reply',
  /** In a channel: the call's cwd, COHORT_CONFIG and argv, NUL-separated. */
  call: 'call',
  /** In a channel: runc's stderr, when the host asked for it. */
  stderr: 'stderr',
} as const;
