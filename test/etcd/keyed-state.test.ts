import { describe, expect, it } from 'vitest';
import { projectRecord, type RecoveryIndex } from '../../src/coordinator/backend/project.js';
import { replayOrder } from '../../src/coordinator/backend/replay-order.js';
import { CoordinatorMachine } from '../../src/coordinator/protocol/machine.js';
import type { LogRecord } from '../../src/coordinator/protocol/records.js';
import { DEFAULT_POLICY } from '../../src/coordinator/rules/policy.js';
import type { BarrierStage, RecoveryRecord } from '../../src/coordinator/types.js';
import { CohortError } from '../../src/core/errors.js';
import { Random, fuzzSettings } from '../coordinator/support/fuzz-random.js';
import { MachineHarness, type Conn } from '../coordinator/support/machine-harness.js';
import { MemoryKeyspace } from './support/memory-keyspace.js';

const { seed } = fuzzSettings();
const GROUPS = ['g1', 'g2'];
const NAMES = ['a', 'b', 'c'];
const STAGES: BarrierStage[] = ['ready', 'frozen', 'resumed'];
const LOCATIONS = ['dir:/var/lib/s1', 'oci://127.0.0.1:5000/cohort/g'];

/** Everything a new leader answers from: what both replays must agree on. */
function snapshot(machine: CoordinatorMachine, groups: Iterable<string>, now: number): unknown {
  const read = <T>(f: () => T): T | string => {
    try {
      return f();
    } catch (error) {
      return (error as CohortError).code;
    }
  };
  const perGroup = [...groups].sort().map((group) => ({
    group,
    history: read(() => machine.history(group)),
    stored: machine.storedCheckpoints(group),
    recoveries: machine.recoveries(group),
    policy: machine.policy(group),
    decision: [1, 2, 3, 4, 5].map((epoch) => read(() => machine.getDecision(group, epoch))),
  }));
  return { perGroup, manifests: machine.listGroups(), status: machine.status(now) };
}

/** One random life: rounds and faults as the protocol fuzz has them, plus the fleet's records. */
function randomLife(random: Random): MachineHarness {
  const h = new MachineHarness({
    joinMs: 1_000,
    readyMs: 1_000,
    freezeMs: 1_000,
    dumpMs: 1_000,
    restoreMs: 1_000,
    resumeMs: 1_000,
    completeMs: random.pick([200, 2_000]),
    heartbeatTimeoutMs: 2_000,
  });
  const conns: Conn[] = [];
  for (let step = 0; step < random.int(40, 250); step++) {
    const c = conns.length === 0 ? undefined : random.pick(conns);
    const roll = random.int(0, 99);
    const group = random.pick(GROUPS);
    try {
      if (roll < 8) wholeRound(h, random, group);
      else if (roll < 22 || c === undefined) {
        const member = random.pick(NAMES);
        conns.push(h.join(group, member, { kind: 'checkpoint', declaredMembers: NAMES }));
      } else if (roll < 42) h.arrive(c, random.pick(STAGES));
      else if (roll < 55) h.vote(c, random.chance(0.9));
      else if (roll < 65) h.complete(c, random.chance(0.9), `/img/${c.member}`);
      else if (roll < 68) h.drop(c);
      else if (roll < 73) h.advance(random.int(0, 1_500));
      else if (roll < 75) h.restart();
      else if (roll < 77) h.manifest({ name: group, members: NAMES });
      else if (roll < 78) h.apply(h.machine.deleteGroup(group, h.now));
      else if (roll < 84) store(h, random, group);
      else if (roll < 88) {
        const location = random.pick(LOCATIONS);
        const epochs = random.subset([1, 2, 3, 4, 5, 6]);
        h.apply(h.machine.recordPruned(group, location, epochs, h.now));
      } else if (roll < 95) h.apply(h.machine.recordRecovery(recovery(random, group), h.now));
      else {
        const policy = { ...DEFAULT_POLICY, keep: random.int(1, 5) };
        h.apply(h.machine.setPolicy(group, policy, h.now));
      }
    } catch (error) {
      if (!(error instanceof CohortError)) throw error;
    }
    h.now += 1;
  }
  return h;
}

/** A round that gets through its barriers and votes; its completions may or may not all come. */
function wholeRound(h: MachineHarness, random: Random, group: string): void {
  const conns = NAMES.map((member) =>
    h.join(group, member, { kind: 'checkpoint', declaredMembers: NAMES }),
  );
  for (const stage of ['ready', 'frozen'] as const) for (const c of conns) h.arrive(c, stage);
  for (const c of conns) h.vote(c, random.chance(0.95));
  for (const c of conns) if (random.chance(0.8)) h.complete(c, true, `/img/${c.member}`);
}

/** A stored checkpoint of a committed round: every member with a digest, as the fleet records it. */
function store(h: MachineHarness, random: Random, group: string): void {
  const committed = h.machine
    .history(group)
    .filter(
      (r) => r.outcome === 'committed' || r.outcome === 'permanent' || r.outcome === 'stored',
    );
  if (committed.length === 0) return;
  const round = random.pick(committed);
  const checkpoint = {
    group,
    epoch: round.epoch,
    location: random.pick(LOCATIONS),
    createdAt: new Date(h.now).toISOString(),
    members: round.members.map((member) => ({
      member,
      digest: `sha256:${member}${round.epoch}`,
      size: 1,
      diffId: 'sha256:d',
      uncompressedSize: 2,
      reference: `r/${member}`,
    })),
  };
  h.apply(h.machine.recordStored(checkpoint, h.now));
}

function recovery(random: Random, group: string): RecoveryRecord {
  return {
    group,
    cause: 'member died',
    startedAt: random.int(1, 30) * 1_000,
    outcome: random.pick(['running', 'restored', 'failed', 'blocked'] as const),
    placements: { a: 'n1' },
  };
}

function groupsOf(log: readonly LogRecord[]): Set<string> {
  const groups = new Set<string>();
  for (const r of log) {
    if (r.type === 'group-applied') groups.add(r.manifest.name);
    else if (r.type === 'group-deleted') groups.add(r.name);
    else if (r.type === 'checkpoint-stored') groups.add(r.checkpoint.group);
    else if (r.type === 'recovery') groups.add(r.recovery.group);
    else groups.add(r.group);
  }
  return groups;
}

describe('the etcd keyspace holds current state, and replaying it rebuilds the machine', () => {
  it('agrees with a replay of the whole log, over random lives, before and after recovery', () => {
    const random = new Random(seed ^ 0xe7cd);
    let lives = 0;
    let records = 0;
    let maxKeys = 0;
    const kinds = new Map<string, number>();
    for (; lives < 300; lives++) {
      const h = randomLife(random);
      const keyspace = new MemoryKeyspace();
      const recoveries: RecoveryIndex = new Map();
      for (const record of h.log)
        for (const write of projectRecord(record, recoveries)) keyspace.write(write);
      expect(keyspace.refused, `life ${lives} (seed ${seed})`).toEqual([]);
      records += h.log.length;
      for (const r of h.log) kinds.set(r.type, (kinds.get(r.type) ?? 0) + 1);
      maxKeys = Math.max(maxKeys, keyspace.size);

      const fromLog = new CoordinatorMachine(h.deadlines);
      fromLog.replay(structuredClone(h.log));
      const fromEtcd = new CoordinatorMachine(h.deadlines);
      fromEtcd.replay(replayOrder(keyspace.load()));
      const groups = groupsOf(h.log);
      expect(snapshot(fromEtcd, groups, h.now), `life ${lives} (seed ${seed})`).toEqual(
        snapshot(fromLog, groups, h.now),
      );
      // A new leader settles what was left open as a restarted single coordinator would (groups
      // are independent: the order between them is the order their keys load in).
      const persisted = (m: CoordinatorMachine) =>
        m
          .recover(h.now)
          .flatMap((e) => (e.type === 'persist' ? [JSON.stringify(e.record)] : []))
          .sort();
      expect(persisted(fromEtcd)).toEqual(persisted(fromLog));
    }
    console.log(
      `keyed state: ${lives} lives, ${records} records, at most ${maxKeys} keys`,
      Object.fromEntries(kinds),
    );
    // Every kind of record took part.
    expect([...kinds.keys()].sort()).toEqual([
      'checkpoint-stored',
      'checkpoints-pruned',
      'group-applied',
      'group-deleted',
      'policy-set',
      'recovery',
      'round-closed',
      'round-decided',
      'round-opened',
    ]);
  });

  it('keeps one key per thing: rewriting a round, a policy or a recovery does not grow it', () => {
    const keyspace = new MemoryKeyspace();
    const recoveries: RecoveryIndex = new Map();
    const write = (record: LogRecord) => {
      for (const w of projectRecord(record, recoveries)) keyspace.write(w);
    };
    for (let i = 0; i < 50; i++) {
      write({
        type: 'policy-set',
        at: i,
        group: 'g',
        policy: { ...DEFAULT_POLICY, keep: 1 + (i % 3) },
      });
      write({
        type: 'recovery',
        at: i,
        recovery: { group: 'g', cause: 'c', startedAt: i, outcome: 'restored', placements: {} },
      });
    }
    // One policy and the 20 newest recoveries.
    expect(keyspace.size).toBe(21);
    expect(
      keyspace
        .load()
        .filter((r) => r.key.startsWith('recoveries/'))
        .map((r) => r.key.slice(-2)),
    ).toEqual(Array.from({ length: 20 }, (_, i) => String(30 + i)));
  });

  it('refuses a second decision for one epoch, whoever writes it', () => {
    const keyspace = new MemoryKeyspace();
    const decided = (commit: boolean): LogRecord => ({
      type: 'round-decided',
      at: 1,
      group: 'g',
      epoch: 7,
      commit,
      members: ['a'],
      imageLocations: {},
      stageDurationsMs: {},
    });
    for (const w of projectRecord(decided(false), new Map())) keyspace.write(w);
    for (const w of projectRecord(decided(true), new Map())) keyspace.write(w);
    expect(keyspace.refused).toEqual(['rounds/g/000000000007/decided: expected 0, found 2']);
    expect(keyspace.load().map((r) => (r.value as { commit: boolean }).commit)).toEqual([false]);
  });
});
