import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ErrorCode } from '../../src/core/errors.js';
import type { CoordinatorClient } from '../../src/coordinator/client.js';
import {
  runClientRound,
  settledRecord,
  type ClientFault,
  type ClientScenario,
} from './support/client-round.js';
import { expectedOutcome, POINTS } from './support/scenario-driver.js';
import {
  startTestCoordinator,
  type TestCoordinator,
  type Transport,
} from './support/server-fixture.js';

/** Short stage deadlines so deadline faults fire quickly; the happy path needs milliseconds. */
const DEADLINES = {
  readyMs: 500,
  freezeMs: 500,
  dumpMs: 500,
  restoreMs: 500,
  resumeMs: 500,
  completeMs: 500,
};

function table(): ClientScenario[] {
  const list: ClientScenario[] = [];
  for (const members of [2, 3]) {
    for (const kind of ['checkpoint', 'restore'] as const) {
      list.push({ members, kind, fault: 'none', point: 'ready' });
      list.push({ members, kind, fault: 'duplicate', point: 'ready' });
      const faults: [ClientFault, (typeof POINTS)['checkpoint'][number]][] = [
        ['fail', 'ready'],
        ['drop', kind === 'checkpoint' ? 'frozen' : 'vote'],
        ['deadline', 'vote'],
        ['vote-no', 'vote'],
        ['fail', 'complete'],
        ['deadline', 'complete'],
      ];
      for (const [fault, point] of faults) list.push({ members, kind, fault, point });
    }
  }
  list.push({ members: 7, kind: 'checkpoint', fault: 'none', point: 'ready' });
  return list;
}

describe.each(['tcp', 'unix'] as Transport[])('real server over %s', (transport) => {
  let coordinator: TestCoordinator;
  let client: CoordinatorClient;
  let n = 0;
  beforeAll(async () => {
    coordinator = await startTestCoordinator(transport, { deadlines: DEADLINES });
    client = await coordinator.client();
  });
  afterAll(async () => {
    await coordinator.close();
  });

  test.each(table())('$kind, $members members, $fault at $point', async (scenario) => {
    const group = `g${++n}`;
    const results = await runClientRound(client, group, scenario);
    const expected = expectedOutcome({ ...scenario, fault: scenario.fault });
    const record = await settledRecord(client, group);
    const culprit = `m${scenario.members - 1}`;
    if (expected.outcome === 'aborted') {
      expect(record).toMatchObject({ outcome: 'aborted', culprit });
      expect(record.reason).toContain(expected.reasonIncludes);
      for (const r of results) {
        if (r.member === culprit && scenario.fault === 'drop') continue;
        // Everyone heard the same abort, naming the culprit.
        const heard = r.abort ?? r.decision;
        expect(heard, r.member).toMatchObject({ culprit });
        expect(r.decision?.commit ?? false).toBe(false);
      }
      return;
    }
    for (const r of results) expect(r.decision, r.member).toMatchObject({ commit: true, epoch: 1 });
    if (expected.outcome === 'permanent') {
      expect(record.outcome).toBe('permanent');
      expect(Object.keys(record.imageLocations)).toHaveLength(scenario.members);
    } else {
      expect(record).toMatchObject({ outcome: 'committed', culprit });
      expect(record.reason).toContain('committed but not permanent');
    }
  });

  test('a duplicate member is refused while the first is connected; the round goes on', async () => {
    const join = { group: 'dup', kind: 'checkpoint' as const, declaredSize: 2 };
    const a = await client.openSession({ ...join, member: 'a' });
    await expect(client.openSession({ ...join, member: 'a' })).rejects.toMatchObject({
      code: ErrorCode.DuplicateMember,
      message: expect.stringContaining('member a already joined'),
    });
    const b = await client.openSession({ ...join, member: 'b' });
    await Promise.all([a.arrive('ready'), b.arrive('ready')]);
    a.close();
    b.close();
  });

  test('a member outside the manifest is refused, the round unaffected; zero members rejected', async () => {
    await client.applyGroup({ name: 'fixed', members: ['x', 'y'] });
    expect(await client.listGroups()).toContainEqual({ name: 'fixed', members: ['x', 'y'] });
    const x = await client.openSession({ group: 'fixed', member: 'x', kind: 'checkpoint' });
    await expect(
      client.openSession({ group: 'fixed', member: 'z', kind: 'checkpoint' }),
    ).rejects.toMatchObject({
      code: ErrorCode.NotMember,
    });
    const y = await client.openSession({ group: 'fixed', member: 'y', kind: 'checkpoint' });
    await Promise.all([x.arrive('ready'), y.arrive('ready')]);
    expect(x.members).toEqual(['x', 'y']);
    x.close();
    y.close();
    await expect(client.applyGroup({ name: 'empty', members: [] })).rejects.toMatchObject({
      code: ErrorCode.Manifest,
      message: expect.stringContaining('zero members'),
    });
  });

  test('a restore of a non-permanent checkpoint is refused, saying so', async () => {
    await runClientRound(client, 'np', {
      members: 2,
      kind: 'checkpoint',
      fault: 'vote-no',
      point: 'vote',
    });
    await expect(
      client.openSession({
        group: 'np',
        member: 'm0',
        kind: 'restore',
        checkpointEpoch: 1,
        declaredSize: 2,
      }),
    ).rejects.toMatchObject({
      code: ErrorCode.NotPermanent,
      message: expect.stringContaining('not permanent'),
    });
  });

  test('unknown groups get NOT_FOUND from unary verbs; recorded decisions are answered', async () => {
    await expect(client.history('nope')).rejects.toMatchObject({ code: ErrorCode.UnknownGroup });
    await expect(client.deleteGroup('nope')).rejects.toMatchObject({
      code: ErrorCode.UnknownGroup,
    });
    await expect(client.status('nope')).rejects.toMatchObject({ code: ErrorCode.UnknownGroup });
    await runClientRound(client, 'dec', {
      members: 1,
      kind: 'checkpoint',
      fault: 'none',
      point: 'ready',
    });
    expect(await client.getDecision('dec', 1)).toMatchObject({
      group: 'dec',
      epoch: 1,
      commit: true,
    });
    expect(await client.getDecision('dec', 99)).toBeUndefined();
    const status = await client.status('dec');
    expect(status.groups).toEqual([{ name: 'dec', lastEpoch: 1 }]);
  });
});
