import type { Deadlines } from '../coordinator/types.js';
import type { SessionKind } from './action-plan.js';

/** Slack over the coordinator's own deadline, for the session to hear and pass on its answer. */
const SLACK_MS = 5_000;

/**
 * The longest the hook may wait for one answer (COHORT_HOOK_TIMEOUT, whole seconds): the longest
 * stage any one action waits through, plus a lost coordinator's reconnect window at the vote.
 * The coordinator's deadlines end every wait first; this bound only stops a hung session.
 */
export function hookTimeoutSeconds(
  kind: SessionKind,
  d: Deadlines,
  reconnectWindowMs: number,
): number {
  const waits =
    kind === 'checkpoint'
      ? [d.joinMs + d.readyMs, d.freezeMs, d.dumpMs + reconnectWindowMs]
      : [d.joinMs + d.readyMs, d.restoreMs + reconnectWindowMs, d.resumeMs];
  return Math.ceil((Math.max(...waits) + SLACK_MS) / 1_000);
}
