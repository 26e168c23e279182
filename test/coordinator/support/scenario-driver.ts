import type { BarrierStage, RoundKind } from '../../../src/coordinator/types.js';
import type { Conn, MachineHarness } from './machine-harness.js';

/** The step at which the fault strikes the culprit (the last member), instead of that step. */
export type FaultPoint = 'ready' | 'frozen' | 'vote' | 'resumed' | 'complete';
export type Fault =
  'none' | 'fail' | 'drop' | 'deadline' | 'vote-no' | 'duplicate' | 'stale-epoch' | 'late-joiner';

export interface Scenario {
  members: number;
  kind: RoundKind;
  fault: Fault;
  point: FaultPoint;
}

export type Expected =
  | { outcome: 'permanent' }
  | { outcome: 'committed'; culprit: string; reasonIncludes: string }
  | { outcome: 'aborted'; culprit: string; reasonIncludes: string };

/** The points a kind of round passes, in order. */
export const POINTS: Record<RoundKind, FaultPoint[]> = {
  checkpoint: ['ready', 'frozen', 'vote', 'complete'],
  restore: ['ready', 'vote', 'resumed', 'complete'],
};

export function memberNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `m${i}`);
}

/** What a scenario must end in: a fault before the decision aborts, after it costs permanence. */
export function expectedOutcome(s: Scenario): Expected {
  const culprit = `m${s.members - 1}`;
  if (s.fault === 'none' || s.fault === 'duplicate' || s.fault === 'stale-epoch')
    return { outcome: 'permanent' };
  if (s.fault === 'late-joiner')
    return { outcome: 'aborted', culprit, reasonIncludes: 'did not join' };
  const beforeDecision = POINTS[s.kind].indexOf(s.point) <= POINTS[s.kind].indexOf('vote');
  if (beforeDecision) {
    const reason = {
      fail: 'failed',
      drop: 'session was lost',
      deadline: 'deadline',
      'vote-no': 'voted to abort',
    }[s.fault];
    return { outcome: 'aborted', culprit, reasonIncludes: reason };
  }
  if (s.point === 'resumed' && s.fault === 'deadline') return { outcome: 'permanent' };
  const reason = s.fault === 'fail' ? 'failed after commit' : 'did not report completion';
  return { outcome: 'committed', culprit, reasonIncludes: reason };
}

/** Runs one round through the harness, striking the culprit (the last member) at `point`. */
export function runScenario(h: MachineHarness, s: Scenario, group: string): Conn[] {
  const names = memberNames(s.members);
  const culpritName = names.at(-1) ?? 'm0';
  const extra = s.kind === 'restore' ? { checkpointEpoch: 7 } : {};
  const joinFields = { kind: s.kind, declaredMembers: names, heartbeatMs: 1_000, ...extra };
  const conns: Conn[] = [];
  for (const name of names) {
    if (s.fault === 'late-joiner' && name === culpritName) continue;
    conns.push(h.join(group, name, joinFields));
  }
  if (s.fault === 'late-joiner') {
    h.advance(h.deadlines.joinMs + 1);
    conns.push(h.join(group, culpritName, joinFields));
    return conns;
  }
  const culprit = conns.at(-1);
  if (culprit === undefined) throw new Error('no members');
  const quiet = ['none', 'duplicate', 'stale-epoch'].includes(s.fault);
  /** Everyone takes the step; returns false when the round cannot go on past it. */
  const everyone = (point: FaultPoint, act: (c: Conn, epoch?: number) => void): boolean => {
    const struck = s.point === point && !quiet;
    for (const conn of conns) {
      if (conn === culprit && struck) {
        if (s.fault === 'fail') h.fail(conn, 'injected failure');
        else if (s.fault === 'drop') h.drop(conn);
        else if (s.fault === 'vote-no') h.vote(conn, false, 'images incomplete');
        continue;
      }
      // A stale message first: refused, harmless; then the real one.
      if (conn === culprit && s.fault === 'stale-epoch' && s.point === point)
        act(conn, (conn.epoch ?? 0) - 1);
      act(conn);
      if (s.fault === 'duplicate') act(conn);
    }
    if (struck && s.fault === 'deadline') h.advance(deadlineFor(h, s, point) + 1);
    return !struck || (point === 'resumed' && s.fault === 'deadline');
  };
  const arrive = (stage: BarrierStage) => (c: Conn, epoch?: number) =>
    h.arrive(c, stage, epoch ?? c.epoch);
  const vote = (c: Conn, epoch?: number) => h.vote(c, true, undefined, epoch ?? c.epoch);
  if (!everyone('ready', arrive('ready'))) return conns;
  if (s.kind === 'checkpoint') {
    if (!everyone('frozen', arrive('frozen'))) return conns;
    if (!everyone('vote', vote)) return conns;
  } else {
    if (!everyone('vote', vote)) return conns;
    if (!everyone('resumed', arrive('resumed'))) {
      finishAfterLateFault(h, conns, culprit);
      return conns;
    }
    if (s.point === 'resumed' && s.fault === 'deadline') h.arrive(culprit, 'resumed');
  }
  const complete = (c: Conn, epoch?: number) =>
    h.complete(c, true, `/images/${c.member}`, epoch ?? c.epoch);
  if (!everyone('complete', complete)) h.advance(h.deadlines.completeMs + 1);
  return conns;
}

/** After a post-decision fault at resume, the others still complete; the culprit never does. */
function finishAfterLateFault(h: MachineHarness, conns: Conn[], culprit: Conn): void {
  for (const conn of conns) if (conn !== culprit) h.complete(conn, true, `/images/${conn.member}`);
  h.advance(h.deadlines.completeMs + 1);
}

function deadlineFor(h: MachineHarness, s: Scenario, point: FaultPoint): number {
  const d = h.deadlines;
  switch (point) {
    case 'ready':
      return d.readyMs;
    case 'frozen':
      return d.freezeMs;
    case 'vote':
      return s.kind === 'checkpoint' ? d.dumpMs : d.restoreMs;
    case 'resumed':
      return d.resumeMs;
    case 'complete':
      return d.completeMs;
  }
}
