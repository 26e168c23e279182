import { CohortError, ErrorCode } from '../core/errors.js';
import type { SessionServices } from '../session/session-services.js';
import type { RuntimeContext } from './context.js';
import { sessionHostDir } from './host/layout.js';

/**
 * A group member's checkpoint and restore run only in the session host: without it they fail
 * closed before runc starts, and say how to start it.
 */
export function requireSessionHost(
  context: RuntimeContext,
  operation: 'checkpoint' | 'restore',
  member: { group: string; member: string; containerId: string },
): SessionServices {
  if (context.sessions !== undefined) return context.sessions;
  const dir = sessionHostDir(context.config().stateDir);
  throw new CohortError(
    ErrorCode.NoSessionHost,
    `container ${member.containerId} is member ${member.member} of group ${member.group}, and its ${operation} runs only through cohort's session host, which is not running (${dir}); start cohortd on this node, or "cohortd agent" where the coordinator runs elsewhere, then retry`,
    { details: { container: member.containerId, group: member.group, hostDir: dir } },
  );
}
