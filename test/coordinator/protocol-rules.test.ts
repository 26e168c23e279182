import { describe, expect, test } from 'vitest';
import { CohortError, ErrorCode } from '../../src/core/errors.js';
import { MachineHarness } from './support/machine-harness.js';

function commitCheckpoint(h: MachineHarness, group: string, names: string[]) {
  const conns = names.map((n) => h.join(group, n, { declaredMembers: names }));
  for (const c of conns) h.arrive(c, 'ready');
  for (const c of conns) h.arrive(c, 'frozen');
  for (const c of conns) h.vote(c);
  return conns;
}

describe('membership rules', () => {
  test('a duplicate member name is refused while the first is connected; the round goes on', () => {
    const h = new MachineHarness();
    const [a] = [h.join('g', 'a', { declaredSize: 2 })];
    const dup = h.join('g', 'a', { declaredSize: 2 });
    expect(h.refused.get(dup.id)?.code).toBe(ErrorCode.DuplicateMember);
    expect(h.refused.get(dup.id)?.message).toContain('member a already joined');
    const b = h.join('g', 'b', { declaredSize: 2 });
    for (const c of [a, b]) if (c) h.arrive(c, 'ready');
    expect(a && h.released(a, 'ready')).toBe(true);
  });

  test('a member not in the manifest is refused and the round is unaffected', () => {
    const h = new MachineHarness();
    h.manifest({ name: 'g', members: ['a', 'b'] });
    const a = h.join('g', 'a');
    const stray = h.join('g', 'zed');
    expect(h.refused.get(stray.id)?.code).toBe(ErrorCode.NotMember);
    expect(h.refused.get(stray.id)?.message).toContain('zed is not in group g');
    const b = h.join('g', 'b');
    h.arrive(a, 'ready');
    h.arrive(b, 'ready');
    expect(h.released(b, 'ready')).toBe(true);
    expect(h.machine.history('g')[0]?.outcome).toBe('open');
  });

  test('a member beyond the declared size is refused, the round unaffected', () => {
    const h = new MachineHarness();
    h.join('g', 'a', { declaredSize: 2 });
    h.join('g', 'b', { declaredSize: 2 });
    const third = h.join('g', 'c', { declaredSize: 2 });
    expect(h.refused.get(third.id)?.code).toBe(ErrorCode.NotMember);
    expect(h.machine.history('g')[0]?.outcome).toBe('open');
  });

  test('a later member declaring another size aborts the round, naming it', () => {
    const h = new MachineHarness();
    const a = h.join('g', 'a', { declaredSize: 2 });
    const b = h.join('g', 'b', { declaredSize: 3 });
    expect(h.refused.get(b.id)?.code).toBe(ErrorCode.Aborted);
    expect(h.outcome(a)).toMatchObject({ commit: false, culprit: 'b' });
    expect(h.machine.history('g')[0]).toMatchObject({ outcome: 'aborted', culprit: 'b' });
  });

  test('declared member lists that disagree abort the round', () => {
    const h = new MachineHarness();
    const a = h.join('g', 'a', { declaredMembers: ['a', 'b'] });
    h.join('g', 'b', { declaredMembers: ['a', 'c'] });
    expect(h.outcome(a)?.reason).toContain('declares member c');
  });

  test('without a manifest or a declaration the join is refused', () => {
    const h = new MachineHarness();
    const a = h.join('g', 'a');
    expect(h.refused.get(a.id)?.code).toBe(ErrorCode.UnknownGroup);
    expect(h.refused.get(a.id)?.message).toContain('apply a manifest');
  });

  test('a manifest with zero members is rejected', () => {
    const h = new MachineHarness();
    expect(() => h.manifest({ name: 'g', members: [] })).toThrow(/zero members/);
    expect(() => h.manifest({ name: 'g', size: 0 })).toThrow(CohortError);
    expect(() => h.manifest({ name: 'g', members: ['a', 'a'] })).toThrow(/listed twice/);
  });

  test('a join of the other kind while a round is open is refused', () => {
    const h = new MachineHarness();
    h.join('g', 'a', { declaredSize: 2 });
    const r = h.join('g', 'b', { kind: 'restore', checkpointEpoch: 1, declaredSize: 2 });
    expect(h.refused.get(r.id)?.code).toBe(ErrorCode.RoundBusy);
  });
});

describe('restore eligibility', () => {
  test('a restore of a permanent checkpoint is allowed; of an aborted one refused, saying so', () => {
    const h = new MachineHarness();
    const conns = commitCheckpoint(h, 'g', ['a']);
    for (const c of conns) h.complete(c, true, '/img/a');
    const bad = h.join('g', 'x', { declaredSize: 1 });
    h.fail(bad);
    const refused = h.join('g', 'a', { kind: 'restore', checkpointEpoch: 2, declaredSize: 1 });
    expect(h.refused.get(refused.id)?.code).toBe(ErrorCode.NotPermanent);
    expect(h.refused.get(refused.id)?.message).toContain('not permanent');
    const ok = h.join('g', 'a', { kind: 'restore', checkpointEpoch: 1, declaredSize: 1 });
    expect(h.last(ok)).toMatchObject({ type: 'welcome', epoch: 3 });
  });

  test('a restore of an epoch the coordinator never saw is allowed', () => {
    const h = new MachineHarness();
    const c = h.join('g', 'a', { kind: 'restore', checkpointEpoch: 99, declaredSize: 1 });
    expect(h.last(c)).toMatchObject({ type: 'welcome', epoch: 1 });
  });

  test('committed but not permanent is refused for restore', () => {
    const h = new MachineHarness();
    const [a] = commitCheckpoint(h, 'g', ['a']);
    if (a) h.complete(a, false);
    const r = h.join('g', 'a', { kind: 'restore', checkpointEpoch: 1, declaredSize: 1 });
    expect(h.refused.get(r.id)?.message).toContain('committed but not permanent');
  });
});

describe('messages out of place', () => {
  test('an arrival for a passed stage is refused to that member only', () => {
    const h = new MachineHarness();
    const [a, b] = [h.join('g', 'a', { declaredSize: 2 }), h.join('g', 'b', { declaredSize: 2 })];
    if (!a || !b) return;
    h.arrive(a, 'ready');
    h.arrive(b, 'ready');
    h.arrive(a, 'frozen');
    h.arrive(a, 'ready');
    expect(h.errors(a).at(-1)?.message).toContain('already passed');
    expect(h.errors(b)).toEqual([]);
    h.arrive(b, 'frozen');
    expect(h.released(a, 'frozen')).toBe(true);
  });

  test('frozen before the ready release, and resumed on a checkpoint, are refused', () => {
    const h = new MachineHarness();
    const a = h.join('g', 'a', { declaredSize: 2 });
    h.arrive(a, 'frozen');
    h.arrive(a, 'resumed');
    expect(h.errors(a).map((e) => e.message)).toEqual([
      'frozen: the ready barrier is not released yet',
      'resumed: a checkpoint has no resumed barrier',
    ]);
  });

  test('a vote implies frozen for a member without its own netns', () => {
    const h = new MachineHarness();
    const [a, b] = [h.join('g', 'a', { declaredSize: 2 }), h.join('g', 'b', { declaredSize: 2 })];
    h.arrive(a, 'ready');
    h.arrive(b, 'ready');
    h.arrive(a, 'frozen');
    expect(h.released(a, 'frozen')).toBe(false);
    h.vote(b);
    expect(h.released(a, 'frozen')).toBe(true);
    h.vote(a);
    expect(h.outcome(b)).toMatchObject({ commit: true });
  });

  test('messages after the session joined nothing are refused', () => {
    const h = new MachineHarness();
    const conn = { id: 999, group: 'g', member: 'a', epoch: 1 };
    h.arrive(conn, 'ready');
    expect(h.errors(conn)[0]?.message).toContain('send join first');
  });

  test('a complete before any commit is refused; a failed complete aborts', () => {
    const h = new MachineHarness();
    const a = h.join('g', 'a', { declaredSize: 1 });
    h.complete(a, true);
    expect(h.errors(a)[0]?.message).toContain('no commit yet');
    h.complete(a, false);
    expect(h.outcome(a)).toMatchObject({ commit: false, culprit: 'a' });
  });
});

describe('liveness', () => {
  test('missed heartbeats abort the round before the decision', () => {
    const h = new MachineHarness();
    h.join('g', 'a', { declaredSize: 2 });
    const b = h.join('g', 'b', { declaredSize: 2 });
    h.advanceSilently(h.deadlines.heartbeatTimeoutMs + 1);
    expect(h.outcome(b)).toMatchObject({ commit: false, culprit: 'a' });
    expect(h.outcome(b)?.reason).toContain('no heartbeat');
  });

  test('a forced resume release lets the others go after the resume deadline', () => {
    const h = new MachineHarness();
    const names = ['a', 'b'];
    const [a, b] = names.map((n) =>
      h.join('g', n, { kind: 'restore', checkpointEpoch: 5, declaredMembers: names }),
    );
    if (!a || !b) return;
    for (const c of [a, b]) h.arrive(c, 'ready');
    for (const c of [a, b]) h.vote(c);
    h.arrive(a, 'resumed');
    h.advance(h.deadlines.resumeMs + 1);
    expect(h.messages(a).find((m) => m.type === 'release' && m.stage === 'resumed')).toMatchObject({
      forced: true,
    });
  });

  test('shutdown aborts open rounds with its reason and refuses new joins', () => {
    const h = new MachineHarness();
    const a = h.join('g', 'a', { declaredSize: 2 });
    h.apply(h.machine.step({ type: 'shutdown', now: h.now }));
    expect(h.outcome(a)?.reason).toBe('coordinator shutting down');
    const b = h.join('h', 'b', { declaredSize: 1 });
    expect(h.refused.get(b.id)?.code).toBe(ErrorCode.Unreachable);
  });
});

describe('restart', () => {
  test('an undecided round is aborted and recorded; epochs are never reused', () => {
    const h = new MachineHarness();
    h.join('g', 'a', { declaredSize: 2 });
    h.restart();
    expect(h.machine.getDecision('g', 1)).toMatchObject({
      state: 'decided',
      decision: { commit: false, reason: 'coordinator restarted before a decision' },
    });
    h.restart();
    expect(h.log.filter((r) => r.type === 'round-decided')).toHaveLength(1);
    const next = h.join('g', 'a', { declaredSize: 1 });
    expect(h.last(next)).toMatchObject({ type: 'welcome', epoch: 2 });
  });

  test('a recorded commit is answered after restart and completions arrive by unary call', () => {
    const h = new MachineHarness();
    commitCheckpoint(h, 'g', ['a', 'b']);
    h.restart();
    expect(h.machine.getDecision('g', 1)).toMatchObject({
      state: 'decided',
      decision: { commit: true },
    });
    for (const member of ['a', 'b']) {
      h.apply(
        h.machine.reportComplete(
          { group: 'g', epoch: 1, member, ok: true, imageLocation: `/i/${member}` },
          h.now,
        ),
      );
    }
    expect(h.machine.history('g')[0]).toMatchObject({
      outcome: 'permanent',
      imageLocations: { a: '/i/a', b: '/i/b' },
    });
    h.restart();
    expect(h.machine.history('g')[0]?.outcome).toBe('permanent');
  });

  test('an unknown group is refused for history, status and decisions', () => {
    const h = new MachineHarness();
    expect(() => h.machine.history('nope')).toThrow(/group nope is unknown/);
    expect(() => h.machine.status(h.now, 'nope')).toThrow(CohortError);
    expect(() => h.machine.getDecision('nope', 1)).toThrow(CohortError);
    expect(() => h.machine.deleteGroup('nope', h.now)).toThrow(/nothing to delete/);
  });
});
