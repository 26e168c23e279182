import { existsSync } from 'node:fs';
import { execa, type ResultPromise } from 'execa';
import type { NodeMember } from '../coordinator/types.js';
import { toCohortError } from '../core/errors.js';
import type { LocalMember } from '../engines/engine.js';
import { memberKey, type BusyMembers } from './busy.js';
import { deathOf, listMembers, toNodeMember } from './engines.js';
import type { AgentOptions } from './options.js';

/** A podman-only node is asked this often besides its events; runc has none, so it is polled. */
const PODMAN_POLL_MS = 30_000;
/** util-linux's setpriv, in Debian's base system: it sets a parent-death signal, then execs. */
const SETPRIV = '/usr/bin/setpriv';

export interface InventoryEvents {
  changed(members: NodeMember[]): void;
  died(member: NodeMember, detail: string): void;
}

/**
 * What runs on this node, kept current: runc roots polled, podman's own events heard. A member
 * that was running and stopped with a failure, while the agent was not working on it, died.
 */
export class Inventory {
  private last: LocalMember[] = [];
  private lastText = '';
  private refreshing: Promise<void> | undefined;
  private again = false;
  private readonly timer: NodeJS.Timeout;
  private readonly events: ResultPromise | undefined;

  constructor(
    private readonly o: AgentOptions,
    private readonly busy: BusyMembers,
    private readonly on: InventoryEvents,
  ) {
    const every = o.runcRoots.length > 0 ? o.pollMs : PODMAN_POLL_MS;
    this.timer = setInterval(() => void this.refresh(), every);
    this.timer.unref();
    this.events = o.podman === undefined ? undefined : this.podmanEvents(o);
    void this.refresh();
  }

  members(): NodeMember[] {
    return this.last.map(toNodeMember);
  }

  /** Asks the engines now; calls made while one runs are folded into one more. */
  refresh(): Promise<void> {
    if (this.refreshing !== undefined) {
      this.again = true;
      return this.refreshing;
    }
    this.refreshing = this.scan().finally(() => {
      this.refreshing = undefined;
      if (this.again) {
        this.again = false;
        void this.refresh();
      }
    });
    return this.refreshing;
  }

  stop(): void {
    clearInterval(this.timer);
    this.events?.kill();
  }

  private async scan(): Promise<void> {
    let now: LocalMember[];
    try {
      now = await listMembers(this.o);
    } catch (error) {
      this.o.logger.warn({ message: toCohortError(error).message }, 'inventory-failed');
      return;
    }
    for (const member of now) {
      const before = this.last.find(
        (m) => m.engine === member.engine && m.containerId === member.containerId,
      );
      const death = deathOf(member);
      if (
        before?.state === 'running' &&
        death !== undefined &&
        !this.busy.has(memberKey(member.group, member.member))
      ) {
        this.on.died(toNodeMember(member), death);
      }
    }
    this.last = now;
    const text = JSON.stringify(now.map(toNodeMember));
    if (text !== this.lastText) {
      this.lastText = text;
      this.on.changed(this.members());
    }
  }

  /** podman says when a container dies, starts or goes: each is a reason to look again at once. */
  private podmanEvents(o: AgentOptions): ResultPromise | undefined {
    const podman = o.podman;
    if (podman === undefined) return undefined;
    const argv = [
      podman.binary,
      ...podman.globalArgs,
      ...['events', '--format', 'json', '--filter', 'type=container'],
    ];
    // A parent-death signal ends podman events with this agent, even one killed with SIGKILL.
    const [program = podman.binary, ...args] = existsSync(SETPRIV)
      ? [SETPRIV, '--pdeathsig', 'TERM', '--', ...argv]
      : argv;
    const child = execa(program, args, {
      env: podman.env,
      extendEnv: false,
      reject: false,
      buffer: false,
      stdin: 'ignore',
      stderr: 'ignore',
    });
    child.stdout?.on('data', () => void this.refresh());
    return child;
  }
}
