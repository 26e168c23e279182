import type { CohortError } from '../../../src/core/errors.js';
import { DEFAULT_DEADLINES } from '../../../src/coordinator/deadlines.js';
import { CoordinatorMachine } from '../../../src/coordinator/protocol/machine.js';
import type {
  Effect,
  MachineEvent,
  OutMessage,
} from '../../../src/coordinator/protocol/effects.js';
import type { JoinFields } from '../../../src/coordinator/protocol/inputs.js';
import type { LogRecord } from '../../../src/coordinator/protocol/records.js';
import type { BarrierStage, Deadlines, GroupManifest } from '../../../src/coordinator/types.js';
import { InvariantChecker } from './invariants.js';

export interface Conn {
  id: number;
  group: string;
  member: string;
  epoch?: number;
}

/** Drives the pure machine like a server would: a clock, a log, an inbox per stream. */
export class MachineHarness {
  machine: CoordinatorMachine;
  now = 1_700_000_000_000;
  readonly log: LogRecord[] = [];
  readonly inbox = new Map<number, OutMessage[]>();
  readonly refused = new Map<number, CohortError>();
  readonly events: MachineEvent[] = [];
  readonly checker = new InvariantChecker();
  private readonly conns = new Map<number, Conn>();
  private readonly dropped = new Set<number>();
  private nextConn = 1;
  private seq = 1;

  constructor(readonly deadlines: Deadlines = { ...DEFAULT_DEADLINES }) {
    this.machine = new CoordinatorMachine(deadlines);
  }

  apply(effects: Effect[]): Effect[] {
    this.checker.check(effects, (conn) => this.conns.get(conn)?.group);
    for (const effect of effects) {
      if (effect.type === 'persist') this.log.push(structuredClone(effect.record));
      else if (effect.type === 'event') this.events.push(effect.event);
      else if (effect.type === 'refuse') this.refused.set(effect.conn, effect.error);
      else {
        const conns = effect.type === 'send' ? [effect.conn] : effect.conns;
        for (const conn of conns) this.deliver(conn, effect.message);
      }
    }
    return effects;
  }

  private deliver(conn: number, message: OutMessage): void {
    let box = this.inbox.get(conn);
    if (box === undefined) this.inbox.set(conn, (box = []));
    box.push(message);
    const c = this.conns.get(conn);
    if (message.type === 'welcome' && c !== undefined) c.epoch = message.epoch;
  }

  manifest(manifest: GroupManifest): void {
    this.apply(this.machine.applyGroup(manifest, this.now));
  }

  join(group: string, member: string, fields: Partial<JoinFields> = {}): Conn {
    const conn: Conn = { id: this.nextConn++, group, member };
    this.conns.set(conn.id, conn);
    const join: JoinFields = { group, member, kind: 'checkpoint', ...fields };
    this.apply(
      this.machine.step({ type: 'join', conn: conn.id, seq: this.seq++, join, now: this.now }),
    );
    return conn;
  }

  arrive(conn: Conn, stage: BarrierStage, epoch = conn.epoch ?? 0): Effect[] {
    const seq = this.seq++;
    const effects = this.machine.step({
      type: 'arrive',
      conn: conn.id,
      seq,
      epoch,
      stage,
      now: this.now,
    });
    if (!hasError(effects, conn.id, seq))
      this.checker.arrived(conn.group, epoch, conn.member, stage);
    return this.apply(effects);
  }

  vote(conn: Conn, ok = true, reason?: string, epoch = conn.epoch ?? 0): Effect[] {
    const seq = this.seq++;
    const effects = this.machine.step({
      type: 'vote',
      conn: conn.id,
      seq,
      epoch,
      ok,
      reason,
      now: this.now,
    });
    if (!hasError(effects, conn.id, seq))
      this.checker.arrived(conn.group, epoch, conn.member, 'vote');
    return this.apply(effects);
  }

  complete(conn: Conn, ok = true, imageLocation?: string, epoch = conn.epoch ?? 0): Effect[] {
    const input = {
      type: 'complete' as const,
      conn: conn.id,
      seq: this.seq++,
      epoch,
      ok,
      now: this.now,
    };
    return this.apply(
      this.machine.step(imageLocation === undefined ? input : { ...input, imageLocation }),
    );
  }

  fail(conn: Conn, reason = 'runc died', epoch = conn.epoch ?? 0): Effect[] {
    return this.apply(
      this.machine.step({
        type: 'fail',
        conn: conn.id,
        seq: this.seq++,
        epoch,
        reason,
        now: this.now,
      }),
    );
  }

  heartbeat(conn: Conn, epoch = conn.epoch ?? 0): Effect[] {
    return this.apply(
      this.machine.step({
        type: 'heartbeat',
        conn: conn.id,
        seq: this.seq++,
        epoch,
        now: this.now,
      }),
    );
  }

  drop(conn: Conn, reason = 'stream closed'): Effect[] {
    this.dropped.add(conn.id);
    return this.apply(
      this.machine.step({ type: 'disconnect', conn: conn.id, reason, now: this.now }),
    );
  }

  /** Moves the clock; live sessions heartbeat every second, as MemberSession does. */
  advance(ms: number): void {
    const until = this.now + ms;
    while (this.now < until) {
      const step = Math.min(1_000, until - this.now);
      this.advanceSilently(step);
      for (const conn of this.conns.values()) {
        if (!this.dropped.has(conn.id) && conn.epoch !== undefined) this.heartbeat(conn);
      }
    }
  }

  /** Moves the clock with every session silent, firing whatever comes due. */
  advanceSilently(ms: number): void {
    const until = this.now + ms;
    for (;;) {
      const wake = this.machine.nextWakeup();
      if (wake === undefined || wake > until) break;
      this.now = Math.max(this.now, wake);
      this.apply(this.machine.step({ type: 'tick', now: this.now }));
    }
    this.now = until;
  }

  /** A coordinator restart on the same log: every stream is gone. */
  restart(): void {
    this.machine = new CoordinatorMachine(this.deadlines);
    this.machine.replay(structuredClone(this.log));
    for (const conn of this.conns.values()) conn.epoch = undefined;
    this.conns.clear();
    this.apply(this.machine.recover(this.now));
  }

  messages(conn: Conn): OutMessage[] {
    return this.inbox.get(conn.id) ?? [];
  }

  last(conn: Conn): OutMessage | undefined {
    return this.messages(conn).at(-1);
  }

  has(conn: Conn, predicate: (m: OutMessage) => boolean): boolean {
    return this.messages(conn).some(predicate);
  }

  released(conn: Conn, stage: BarrierStage): boolean {
    return this.has(conn, (m) => m.type === 'release' && m.stage === stage);
  }

  outcome(conn: Conn): { commit: boolean; reason?: string; culprit?: string } | undefined {
    for (const m of this.messages(conn)) {
      if (m.type === 'decision') return m;
      if (m.type === 'abort') return { commit: false, reason: m.reason, culprit: m.culprit };
    }
    return undefined;
  }

  errors(conn: Conn): CohortError[] {
    return this.messages(conn).flatMap((m) => (m.type === 'error' ? [m.error] : []));
  }
}

function hasError(effects: Effect[], conn: number, seq: number): boolean {
  return effects.some(
    (e) =>
      e.type === 'send' && e.conn === conn && e.message.type === 'error' && e.message.seq === seq,
  );
}
