import { describe, expect, it } from 'vitest';
import { ABORTING_ACTIONS, CriuAction } from '../../src/criu/actions.js';
import { planAction } from '../../src/session/action-plan.js';

describe('CRIU actions to protocol steps', () => {
  it.each([
    ['checkpoint', 'pre-dump', { kind: 'barrier', stage: 'ready', canAbort: true }],
    ['checkpoint', 'network-lock', { kind: 'barrier', stage: 'frozen', canAbort: true }],
    ['checkpoint', 'post-dump', { kind: 'vote' }],
    ['checkpoint', 'network-unlock', { kind: 'ignore' }],
    ['restore', 'pre-restore', { kind: 'barrier', stage: 'ready', canAbort: true }],
    ['restore', 'setup-namespaces', { kind: 'ignore' }],
    ['restore', 'post-restore', { kind: 'vote' }],
    ['restore', 'pre-resume', { kind: 'barrier', stage: 'resumed', canAbort: false }],
    ['restore', 'post-resume', { kind: 'ignore' }],
    ['restore', 'post-dump', { kind: 'ignore' }],
  ] as const)('%s %s', (kind, action, step) => {
    expect(planAction(kind, action)).toEqual(step);
  });

  it('waits for a decision only where CRIU can still abort', () => {
    for (const kind of ['checkpoint', 'restore'] as const) {
      for (const action of Object.values(CriuAction)) {
        const step = planAction(kind, action);
        if (step.kind === 'vote' || (step.kind === 'barrier' && step.canAbort)) {
          expect(ABORTING_ACTIONS.has(action)).toBe(true);
        }
      }
    }
  });
});
