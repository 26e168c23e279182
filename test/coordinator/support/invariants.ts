import type { Effect, OutMessage } from '../../../src/coordinator/protocol/effects.js';
import type { LogRecord } from '../../../src/coordinator/protocol/records.js';

/** Watches a machine's effects and fails loudly when a protocol promise is broken. */
export class InvariantChecker {
  private readonly decided = new Map<string, boolean>();
  private readonly lastEpoch = new Map<string, number>();
  /** group#epoch → stage → members that arrived (accepted by the machine). */
  private readonly arrivals = new Map<string, Map<string, Set<string>>>();
  /** group#epoch → every member named to anyone in the round (welcomes grow to the full set). */
  private readonly members = new Map<string, Set<string>>();
  readonly violations: string[] = [];

  arrived(group: string, epoch: number, member: string, stage: string): void {
    const key = `${group}#${epoch}`;
    let stages = this.arrivals.get(key);
    if (stages === undefined) this.arrivals.set(key, (stages = new Map()));
    let members = stages.get(stage);
    if (members === undefined) stages.set(stage, (members = new Set()));
    members.add(member);
  }

  persisted(record: LogRecord): void {
    if (record.type === 'round-opened') {
      const last = this.lastEpoch.get(record.group) ?? 0;
      if (record.epoch <= last)
        this.fail(`epoch ${record.epoch} of ${record.group} opened after ${last}`);
      this.lastEpoch.set(record.group, record.epoch);
    }
    if (record.type === 'round-decided') {
      const key = `${record.group}#${record.epoch}`;
      const before = this.decided.get(key);
      if (before !== undefined) this.fail(`${key} decided twice (${before} then ${record.commit})`);
      this.decided.set(key, record.commit);
    }
  }

  /** A message leaving for a member of `group`. */
  sent(group: string, message: OutMessage): void {
    const key = `${group}#${message.epoch}`;
    if (message.type === 'decision' || message.type === 'abort') {
      const commit = message.type === 'decision' ? message.commit : false;
      const recorded = this.decided.get(key);
      if (recorded === undefined)
        this.fail(`${key} ${message.type} announced before it was persisted`);
      else if (recorded !== commit)
        this.fail(`${key} announced commit=${commit} but persisted ${recorded}`);
    }
    if (message.type === 'welcome' || message.type === 'release') {
      let known = this.members.get(key);
      if (known === undefined) this.members.set(key, (known = new Set()));
      for (const member of message.members) known.add(member);
    }
    if (message.type === 'release' && !message.forced) {
      const stages = this.arrivals.get(key);
      const arrived = stages?.get(message.stage) ?? new Set();
      const voted = stages?.get('vote') ?? new Set();
      for (const member of this.members.get(key) ?? []) {
        const there = arrived.has(member) || (message.stage === 'frozen' && voted.has(member));
        if (!there) this.fail(`${key} released ${message.stage} before ${member} arrived`);
      }
    }
  }

  check(effects: Effect[], groupOf: (conn: number) => string | undefined): void {
    for (const effect of effects) {
      if (effect.type === 'persist') this.persisted(effect.record);
      const conns =
        effect.type === 'send' ? [effect.conn] : effect.type === 'broadcast' ? effect.conns : [];
      if (effect.type !== 'send' && effect.type !== 'broadcast') continue;
      const groups = new Set(conns.map(groupOf));
      for (const group of groups) if (group !== undefined) this.sent(group, effect.message);
    }
  }

  private fail(message: string): void {
    this.violations.push(message);
  }
}
