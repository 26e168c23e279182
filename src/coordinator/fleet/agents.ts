import { CohortError, ErrorCode } from '../../core/errors.js';
import type { AgentCommand, CommandResult } from '../../gen/cohort/v1/agent.js';
import type { EngineName, NodeMember } from '../types.js';

type CommandBody = NonNullable<AgentCommand['body']>;

/** How the registry talks back to one agent's stream. */
export interface AgentSink {
  send(command: AgentCommand): void;
  close(why: string): void;
}

export interface NodeState {
  name: string;
  engines: EngineName[];
  connected: boolean;
  lastSeen: number;
  /** When its agent's stream went away; undefined while connected. */
  lostAt?: number;
  members: NodeMember[];
}

export type FleetEvent =
  | { type: 'member-died'; node: string; member: NodeMember; detail: string }
  | { type: 'node-lost'; node: string; silentMs: number }
  | { type: 'inventory'; node: string };

interface Pending {
  node: string;
  resolve: (result: CommandResult) => void;
  reject: (error: CohortError) => void;
}

/**
 * The coordinator's view of its node agents: who is connected, what runs where, and the work
 * sent to each. A node whose agent stays away past `lossMs` is reported lost, once.
 */
export class AgentRegistry {
  private readonly nodes = new Map<string, NodeState>();
  private readonly sinks = new Map<string, AgentSink>();
  private readonly pending = new Map<number, Pending>();
  private readonly listeners: ((event: FleetEvent) => void)[] = [];
  private readonly lossTimers = new Map<string, NodeJS.Timeout>();
  private nextCommand = 1;

  constructor(
    private readonly lossMs: number,
    private readonly clock: () => number = Date.now,
  ) {}

  onEvent(listener: (event: FleetEvent) => void): void {
    this.listeners.push(listener);
  }

  /** An agent said hello; a second link for the same node replaces the first. */
  connect(name: string, engines: EngineName[], sink: AgentSink): void {
    this.sinks.get(name)?.close(`node ${name}'s agent connected again`);
    this.sinks.set(name, sink);
    clearTimeout(this.lossTimers.get(name));
    this.lossTimers.delete(name);
    const node = this.nodes.get(name);
    const now = this.clock();
    if (node === undefined)
      this.nodes.set(name, { name, engines, connected: true, lastSeen: now, members: [] });
    else {
      node.engines = engines;
      node.connected = true;
      node.lastSeen = now;
      delete node.lostAt;
    }
  }

  /** The link of `sink` ended: its commands fail now, and the node is lost if it stays away. */
  disconnect(name: string, sink: AgentSink, why: string): void {
    if (this.sinks.get(name) !== sink) return;
    this.sinks.delete(name);
    const node = this.nodes.get(name);
    if (node === undefined) return;
    node.connected = false;
    node.lostAt = this.clock();
    for (const [id, waiting] of this.pending) {
      if (waiting.node !== name) continue;
      this.pending.delete(id);
      waiting.reject(
        new CohortError(
          ErrorCode.Unreachable,
          `node ${name}'s agent went away (${why}) before it answered`,
          { details: { node: name } },
        ),
      );
    }
    const timer = setTimeout(() => {
      this.lossTimers.delete(name);
      if (node.connected) return;
      this.emit({ type: 'node-lost', node: name, silentMs: this.clock() - (node.lostAt ?? 0) });
    }, this.lossMs);
    timer.unref();
    this.lossTimers.set(name, timer);
  }

  seen(name: string): void {
    const node = this.nodes.get(name);
    if (node !== undefined) node.lastSeen = this.clock();
  }

  inventory(name: string, members: NodeMember[]): void {
    const node = this.nodes.get(name);
    if (node === undefined) return;
    node.members = members;
    node.lastSeen = this.clock();
    this.emit({ type: 'inventory', node: name });
  }

  died(name: string, member: NodeMember, detail: string): void {
    this.inventory(name, [
      ...(this.nodes.get(name)?.members ?? []).filter((m) => !same(m, member)),
      member,
    ]);
    this.emit({ type: 'member-died', node: name, member, detail });
  }

  result(name: string, result: CommandResult): void {
    const waiting = this.pending.get(result.commandId);
    if (waiting === undefined || waiting.node !== name) return;
    this.pending.delete(result.commandId);
    waiting.resolve(result);
  }

  /** Sends work to a node's agent; resolves with its result (ok or not), rejects if it is gone. */
  send(name: string, body: CommandBody): Promise<CommandResult> {
    const sink = this.sinks.get(name);
    if (sink === undefined) {
      return Promise.reject(
        new CohortError(
          ErrorCode.Unreachable,
          `node ${name} has no agent connected; start cohortd agent --node ${name} there`,
          {
            details: { node: name },
          },
        ),
      );
    }
    const commandId = this.nextCommand++;
    return new Promise((resolve, reject) => {
      this.pending.set(commandId, { node: name, resolve, reject });
      sink.send({ commandId, body });
    });
  }

  node(name: string): NodeState | undefined {
    return this.nodes.get(name);
  }

  list(): NodeState[] {
    return [...this.nodes.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Every reported member of a group, with its node. */
  membersOf(group: string): { node: string; member: NodeMember }[] {
    const found: { node: string; member: NodeMember }[] = [];
    for (const node of this.nodes.values()) {
      for (const member of node.members)
        if (member.group === group) found.push({ node: node.name, member });
    }
    return found.sort((a, b) => a.member.member.localeCompare(b.member.member));
  }

  close(): void {
    for (const timer of this.lossTimers.values()) clearTimeout(timer);
    for (const [name, sink] of this.sinks) sink.close(`the coordinator is stopping (node ${name})`);
    this.sinks.clear();
  }

  private emit(event: FleetEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}

function same(a: NodeMember, b: NodeMember): boolean {
  return a.group === b.group && a.member === b.member;
}
