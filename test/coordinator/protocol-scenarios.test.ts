import { describe, expect, test } from 'vitest';
import {
  expectedOutcome,
  POINTS,
  runScenario,
  type Fault,
  type Scenario,
} from './support/scenario-driver.js';
import { MachineHarness } from './support/machine-harness.js';

const SIZES = [1, 2, 7];
const KINDS = ['checkpoint', 'restore'] as const;

function scenarios(): Scenario[] {
  const list: Scenario[] = [];
  for (const members of SIZES) {
    for (const kind of KINDS) {
      list.push({ members, kind, fault: 'none', point: 'ready' });
      if (members > 1) list.push({ members, kind, fault: 'late-joiner', point: 'ready' });
      for (const point of POINTS[kind]) {
        const faults: Fault[] = ['fail', 'drop', 'deadline', 'duplicate', 'stale-epoch'];
        if (point === 'vote') faults.push('vote-no');
        for (const fault of faults) list.push({ members, kind, fault, point });
      }
    }
  }
  return list;
}

describe('protocol scenarios: stages × members × faults', () => {
  test.each(scenarios())('$kind, $members member(s), $fault at $point', (scenario) => {
    const h = new MachineHarness();
    const group = 'g';
    const conns = runScenario(h, scenario, group);
    const expected = expectedOutcome(scenario);
    const [record] = h.machine.history(group);
    expect(h.checker.violations).toEqual([]);
    expect(record).toBeDefined();
    if (record === undefined) return;
    expect(record.epoch).toBe(1);

    if (expected.outcome === 'aborted') {
      expect(record.outcome).toBe('aborted');
      expect(record.culprit).toBe(expected.culprit);
      expect(record.reason).toContain(expected.reasonIncludes);
      // Everyone still connected to the round heard the same abort; nobody heard a commit.
      for (const conn of conns) {
        const outcome = h.outcome(conn);
        if (conn.epoch !== 1) continue;
        expect(h.has(conn, (m) => m.type === 'decision' && m.commit)).toBe(false);
        if (scenario.fault === 'drop' && conn.member === expected.culprit) continue;
        expect(outcome).toMatchObject({ commit: false, culprit: expected.culprit });
      }
      expect(h.log.filter((r) => r.type === 'round-decided' && r.epoch === 1)).toHaveLength(1);
      return;
    }
    for (const conn of conns) {
      if (scenario.fault === 'drop' && conn === conns.at(-1) && scenario.point !== 'complete')
        continue;
      expect(h.outcome(conn)).toMatchObject({ commit: true });
    }
    if (expected.outcome === 'permanent') {
      expect(record.outcome).toBe('permanent');
      expect(Object.keys(record.imageLocations).sort()).toEqual(conns.map((c) => c.member).sort());
      expect(h.log.some((r) => r.type === 'round-closed' && r.permanent)).toBe(true);
    } else {
      expect(record.outcome).toBe('committed');
      expect(record.culprit).toBe(expected.culprit);
      expect(record.reason).toContain('committed but not permanent');
      expect(record.reason).toContain(expected.reasonIncludes);
    }
    if (scenario.fault === 'stale-epoch') {
      const culprit = conns.at(-1);
      if (culprit !== undefined) {
        expect(h.errors(culprit).map((e) => e.code)).toContain('COHORT_ERR_STALE_EPOCH');
      }
    }
    // Closed rounds free the group.
    expect(h.machine.status(h.now, group).groups[0]?.openRound).toBeUndefined();
  });
});
