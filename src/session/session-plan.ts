import type { CoordinatorClientOptions, JoinRequest } from '../coordinator/client.js';
import type { SessionKind } from './action-plan.js';

/** Everything one member's session needs, decided before it contacts anyone. */
export interface SessionPlan {
  kind: SessionKind;
  group: string;
  member: string;
  containerId: string;
  join: JoinRequest;
  coordinator: CoordinatorClientOptions;
  runc: string;
  /** The caller's global flags, for runc calls of the session's own (state, resume). */
  globalArgs: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  imagePath: string;
  /** CRIU's log for this operation, when the caller named a work path. */
  criuLog?: string;
  cohortVersion: string;
  /** The container was paused before the checkpoint: leave it paused whatever happens. */
  wasPaused: boolean;
}

export function memberLabel(plan: Pick<SessionPlan, 'group' | 'member'>): string {
  return `${plan.group}/${plan.member}`;
}
