import { CriuAction } from '../criu/actions.js';

export type SessionKind = 'checkpoint' | 'restore';

/** What a session does when CRIU runs its hook at one action. */
export type ActionStep =
  | { kind: 'barrier'; stage: 'ready' | 'frozen' | 'resumed'; canAbort: boolean }
  | { kind: 'vote' }
  | { kind: 'ignore' };

const IGNORE: ActionStep = { kind: 'ignore' };

/**
 * The map from CRIU's actions to the protocol (design.md §3): dump aborts up to post-dump,
 * restore up to post-restore; pre-resume can only delay, never cancel.
 */
export function planAction(kind: SessionKind, action: string): ActionStep {
  if (kind === 'checkpoint') {
    switch (action) {
      case CriuAction.PreDump:
        return { kind: 'barrier', stage: 'ready', canAbort: true };
      case CriuAction.NetworkLock:
        return { kind: 'barrier', stage: 'frozen', canAbort: true };
      case CriuAction.PostDump:
        return { kind: 'vote' };
      default:
        return IGNORE;
    }
  }
  switch (action) {
    case CriuAction.PreRestore:
      return { kind: 'barrier', stage: 'ready', canAbort: true };
    case CriuAction.PostRestore:
      return { kind: 'vote' };
    case CriuAction.PreResume:
      return { kind: 'barrier', stage: 'resumed', canAbort: false };
    default:
      return IGNORE;
  }
}

/** The actions a session answers, as the hook gets them in COHORT_ACTIONS: the one list. */
export function answeredActions(kind: SessionKind): string[] {
  return Object.values(CriuAction).filter((action) => planAction(kind, action).kind !== 'ignore');
}
