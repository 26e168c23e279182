import { expect, test } from 'vitest';
import { CohortError, ErrorCode } from '../../src/core/errors.js';
import { NAME_PATTERN } from '../../src/coordinator/names.js';
import { CoordinatorMachine } from '../../src/coordinator/protocol/machine.js';
import type { LogRecord } from '../../src/coordinator/protocol/records.js';
import type { BarrierStage } from '../../src/coordinator/types.js';
import { sessionServiceDefinition } from '../../src/coordinator/server/build-server.js';
import type { Malformed } from '../../src/coordinator/wire/checks.js';
import { decodeMemberMessage } from '../../src/coordinator/wire/decode-member.js';
import {
  decodeCompleteReport,
  decodeDecisionRequest,
  decodeManifest,
} from '../../src/coordinator/wire/decode-unary.js';
import * as wire from '../../src/gen/cohort/v1/coordinator.js';
import { Random, fuzzSettings } from './support/fuzz-random.js';
import { MachineHarness, type Conn } from './support/machine-harness.js';

const { seconds, seed } = fuzzSettings();
// Printed so a failing run can be replayed: COHORT_FUZZ_SEED=<seed>.
console.log(
  `coordinator fuzz: seed ${seed}, ${seconds} s per target (COHORT_FUZZ_SEED, COHORT_FUZZ_SECONDS)`,
);
const TIMEOUT = seconds * 1000 + 60_000;

/** Long loops let the test runner's own messages through now and then. */
function yieldToRunner(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function expectCohortError(error: unknown, context: string): void {
  if (!(error instanceof CohortError))
    throw new Error(`${context}: threw ${String(error)}`, { cause: error });
}

test(
  'the message decoders refuse what they cannot use, and only with BadMessage',
  async () => {
    const random = new Random(seed);
    const served = sessionServiceDefinition();
    const session = served.Session;
    const member = (loose: Record<string, unknown>) =>
      received(wire.MemberMessage, session.requestDeserialize, loose);
    const until = Date.now() + seconds * 1000;
    let cases = 0;
    let accepted = 0;
    while (Date.now() < until) {
      await yieldToRunner();
      for (let i = 0; i < 500; i++, cases++) {
        const roll = random.next();
        const value =
          roll < 0.2
            ? session.requestDeserialize(random.bytes())
            : roll < 0.6
              ? member(nearlyValid(random))
              : member({
                  seq: random.value(),
                  ...random.object([
                    'join',
                    'arrive',
                    'vote',
                    'heartbeat',
                    'complete',
                    'fail',
                    'junk',
                  ]),
                });
        try {
          const input = decodeMemberMessage(value, 1);
          accepted++;
          if (input.type === 'join') {
            expect(input.join.group).toMatch(NAME_PATTERN);
            expect(input.join.member).toMatch(NAME_PATTERN);
            for (const name of input.join.declaredMembers ?? []) expect(name).toMatch(NAME_PATTERN);
          } else {
            expect(Number.isSafeInteger(input.epoch) && input.epoch >= 1).toBe(true);
          }
        } catch (error) {
          expectCohortError(error, `decode ${JSON.stringify(value)}`);
          expect((error as CohortError).code).toBe(ErrorCode.BadMessage);
          expect((error as CohortError).details.field).toBeTypeOf('string');
        }
        const unary = {
          ApplyGroup: () =>
            decodeManifest(
              received(wire.GroupManifest, served.ApplyGroup.requestDeserialize, loose(random)),
            ),
          ReportComplete: () =>
            decodeCompleteReport(
              received(
                wire.CompleteReport,
                served.ReportComplete.requestDeserialize,
                loose(random),
              ),
            ),
          GetDecision: () =>
            decodeDecisionRequest(
              received(wire.DecisionRequest, served.GetDecision.requestDeserialize, loose(random)),
            ),
        };
        for (const [verb, decode] of Object.entries(unary)) {
          try {
            decode();
          } catch (error) {
            expectCohortError(error, verb);
          }
        }
      }
    }
    console.log(`decoder fuzz: ${cases} messages, ${accepted} accepted`);
    expect(cases).toBeGreaterThan(0);
    expect(accepted).toBeGreaterThanOrEqual(0);
  },
  TIMEOUT,
);

/**
 * A loosely built message as the server's handler receives it: through real bytes when it
 * encodes, else (NaN, fractions: nothing bytes can carry) the typed value itself.
 */
function received<T>(
  type: wire.MessageFns<T>,
  deserialize: (bytes: Buffer) => T | Malformed,
  loose: unknown,
): T | Malformed {
  const typed = type.fromJSON(loose);
  let bytes: Buffer;
  try {
    bytes = Buffer.from(type.encode(typed).finish());
  } catch {
    return typed;
  }
  return deserialize(bytes);
}

/** Any object at all, as the loose form of a unary request. */
function loose(random: Random): Record<string, unknown> {
  const value = random.value();
  return typeof value === 'object' && value !== null ? { ...value } : {};
}

/** A well-formed member message with, usually, one field replaced by something random. */
function nearlyValid(random: Random): Record<string, unknown> {
  const bodies: Record<string, Record<string, unknown>> = {
    join: {
      group: 'g',
      member: 'a',
      kind: random.pick(['CHECKPOINT', 'RESTORE']),
      checkpointEpoch: 3,
      declaredMembers: ['a', 'b'],
      heartbeatMs: 500,
    },
    arrive: { epoch: 1, stage: random.pick(['READY', 'FROZEN', 'RESUMED']) },
    vote: { epoch: 2, ok: true, reason: 'r' },
    heartbeat: { epoch: 1 },
    complete: { epoch: 1, ok: false, imageLocation: '/i', reason: 'x' },
    fail: { epoch: 4, reason: 'gone' },
  };
  const kind = random.pick(Object.keys(bodies));
  const body = { ...bodies[kind] };
  if (random.chance(0.8)) body[random.pick([...Object.keys(body), 'extra'])] = random.value();
  return { seq: random.int(0, 9), [kind]: body };
}

const GROUPS = ['g1', 'g2'];
const NAMES = ['a', 'b', 'c', 'd'];
const STAGES: BarrierStage[] = ['ready', 'frozen', 'resumed'];

/** One random life of a coordinator; the checker's invariants must hold throughout. */
function randomRun(random: Random): MachineHarness {
  const short = () => random.pick([50, 200, 1_000, 5_000]);
  const h = new MachineHarness({
    joinMs: short(),
    readyMs: short(),
    freezeMs: short(),
    dumpMs: short(),
    restoreMs: short(),
    resumeMs: short(),
    completeMs: short(),
    heartbeatTimeoutMs: random.pick([300, 2_000]),
  });
  const conns: Conn[] = [];
  const conn = () => (conns.length === 0 ? undefined : random.pick(conns));
  const epoch = (c: Conn) => (random.chance(0.9) ? (c.epoch ?? 1) : random.int(0, 6));
  const steps = random.int(20, 300);
  for (let i = 0; i < steps; i++) {
    const c = conn();
    const roll = random.int(0, 99);
    try {
      if (roll < 20 || c === undefined) {
        const group = random.pick(GROUPS);
        const kind = random.chance(0.7) ? 'checkpoint' : 'restore';
        const member = random.pick(NAMES);
        const declared = random.chance(0.5)
          ? { declaredMembers: [...new Set([member, ...random.subset(NAMES)])] }
          : random.chance(0.8)
            ? { declaredSize: random.int(1, 4) }
            : {};
        conns.push(
          h.join(group, member, {
            kind,
            ...declared,
            ...(kind === 'restore' ? { checkpointEpoch: random.int(1, 8) } : {}),
          }),
        );
      } else if (roll < 40) h.arrive(c, random.pick(STAGES), epoch(c));
      else if (roll < 52) h.vote(c, random.chance(0.9), undefined, epoch(c));
      else if (roll < 60)
        h.complete(
          c,
          random.chance(0.9),
          random.chance(0.5) ? `/i/${c.member}` : undefined,
          epoch(c),
        );
      else if (roll < 63) h.fail(c, 'fuzz', epoch(c));
      else if (roll < 68) h.heartbeat(c, epoch(c));
      else if (roll < 72) h.drop(c);
      else if (roll < 82) h.advance(random.int(0, 2_000));
      else if (roll < 86) h.advanceSilently(random.int(0, 3_000));
      else if (roll < 88) h.restart();
      else if (roll < 92) {
        h.manifest(
          random.chance(0.8)
            ? { name: random.pick(GROUPS), members: random.subset(NAMES) }
            : { name: random.pick(GROUPS), size: random.int(0, 4) },
        );
      } else if (roll < 94) h.apply(h.machine.deleteGroup(random.pick(GROUPS), h.now));
      else if (roll < 98) {
        h.apply(
          h.machine.reportComplete(
            {
              group: random.pick(GROUPS),
              epoch: random.int(1, 6),
              member: random.pick(NAMES),
              ok: random.chance(0.8),
            },
            h.now,
          ),
        );
      } else if (roll < 99) {
        h.machine.status(h.now);
        h.machine.history(random.pick(GROUPS));
        h.machine.getDecision(random.pick(GROUPS), random.int(1, 6));
      } else {
        h.apply(h.machine.step({ type: 'shutdown', now: h.now }));
        h.restart();
      }
    } catch (error) {
      // Unary verbs refuse with CohortError; nothing else may escape the machine.
      expectCohortError(error, `step ${i}`);
    }
    if (h.checker.violations.length > 0) return h;
  }
  return h;
}

test(
  'the state machine keeps its promises under random sequences',
  async () => {
    const random = new Random(seed ^ 0x5eed);
    const until = Date.now() + seconds * 1000;
    let runs = 0;
    let decided = 0;
    while (Date.now() < until) {
      if (runs % 20 === 0) await yieldToRunner();
      const h = randomRun(random);
      runs++;
      decided += h.log.filter((r) => r.type === 'round-decided').length;
      // Never both commit and abort for one epoch; epochs strictly increase; no release before
      // every member arrived; every decision persisted before it was announced.
      expect(h.checker.violations, `run ${runs} (seed ${seed})`).toEqual([]);
      // History rebuilt from the log is the history the machine kept live.
      const replayed = new CoordinatorMachine(h.deadlines);
      replayed.replay(h.log);
      for (const group of new Set(h.log.map(groupOf))) {
        if (group !== undefined)
          expect(historyOf(replayed, group), `run ${runs} (seed ${seed})`).toEqual(
            historyOf(h.machine, group),
          );
      }
    }
    console.log(`machine fuzz: ${runs} runs, ${decided} decisions`);
    expect(runs).toBeGreaterThan(0);
    expect(decided).toBeGreaterThan(0);
  },
  TIMEOUT,
);

function groupOf(record: LogRecord): string | undefined {
  if (record.type === 'group-applied') return record.manifest.name;
  return 'group' in record ? record.group : undefined;
}

function historyOf(machine: CoordinatorMachine, group: string): unknown {
  try {
    return machine.history(group);
  } catch (error) {
    return (error as CohortError).code;
  }
}
