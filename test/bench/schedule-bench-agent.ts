import type { ClientDuplexStream } from '@grpc/grpc-js';
import { connectCoordinator, type CoordinatorClient } from '../../src/coordinator/client.js';
import type {
  AgentCommand,
  AgentReport,
  CheckpointMembers,
  CommandResult,
} from '../../src/gen/cohort/v1/agent.js';
import type { LocalMember, StoredMember } from '../../src/gen/cohort/v1/records.js';

/** A member the fake agent claims to run: its group, its name, and the group's member list. */
export interface FakeMember {
  group: string;
  member: string;
  members: readonly string[];
}

/** What the fake agent saw: a checkpoint command of a group (ms, performance.timeOrigin based). */
export interface Arrival {
  group: string;
  epoch: number;
  at: number;
}

const SESSIONS_PER_CONNECTION = 16;
const DIGEST = `sha256:${'0'.repeat(64)}`;

/**
 * A FAKE node agent, for the schedule benchmark: it speaks Agents.Link as `cohortd agent` does
 * (hello, inventory, heartbeats, results) for members that exist nowhere. A checkpoint command is
 * answered the way a node's members would answer it, without CRIU or an engine: each member joins
 * the round as cohort's runtime does (ready, frozen, vote, complete), then the agent reports an
 * archive it never wrote. Publish is answered ok. It reconnects when its link drops.
 */
export class FakeAgent {
  readonly arrivals: Arrival[] = [];
  /** Called when a checkpoint command arrives, and when a publish is answered. */
  onCheckpoint: (arrival: Arrival) => void = () => undefined;
  onPublished: (group: string) => void = () => undefined;
  private link: ClientDuplexStream<AgentReport, AgentCommand> | undefined;
  private linkClient: CoordinatorClient | undefined;
  private sessions: CoordinatorClient[] = [];
  private heartbeat: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly address: string,
    private readonly node: string,
    private readonly members: readonly FakeMember[],
  ) {}

  /** Connects, says hello and sends its inventory; resolves once the link is open. */
  async start(): Promise<void> {
    const count = Math.ceil(this.members.length / SESSIONS_PER_CONNECTION);
    this.linkClient = await this.connect();
    this.sessions = await Promise.all(Array.from({ length: count }, () => this.connect()));
    this.openLink();
    this.heartbeat = setInterval(
      () => this.send({ body: { $case: 'heartbeat', value: {} } }),
      2_000,
    );
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.heartbeat);
    this.link?.end();
    for (const client of [this.linkClient, ...this.sessions]) client?.close();
  }

  private connect(): Promise<CoordinatorClient> {
    return connectCoordinator({ address: this.address, connectTimeoutMs: 20_000 });
  }

  private openLink(): void {
    if (this.stopped || this.linkClient === undefined) return;
    const link = this.linkClient.openAgentLink();
    this.link = link;
    link.on('data', (command: AgentCommand) => void this.answer(command));
    const again = () => {
      if (this.link !== link) return;
      this.link = undefined;
      setTimeout(() => this.openLink(), 100).unref();
    };
    link.on('error', again);
    link.on('end', again);
    this.send({
      body: { $case: 'hello', value: { node: this.node, engines: ['podman'], version: 'fake' } },
    });
    this.send({ body: { $case: 'inventory', value: { members: this.members.map(toWire) } } });
  }

  private send(report: AgentReport): void {
    this.link?.write(report);
  }

  private async answer(command: AgentCommand): Promise<void> {
    const result: CommandResult = {
      commandId: command.commandId,
      ok: true,
      errorCode: '',
      message: '',
      culprit: '',
      stored: [],
      pruned: [],
      checkpoint: undefined,
    };
    const body = command.body;
    if (body?.$case === 'checkpoint') {
      const arrival = { group: body.value.group, epoch: body.value.epoch, at: performance.now() };
      this.arrivals.push(arrival);
      this.onCheckpoint(arrival);
      try {
        result.stored = await this.checkpoint(body.value);
      } catch (error) {
        Object.assign(result, {
          ok: false,
          message: String(error),
          culprit: body.value.members[0],
        });
      }
    } else if (body?.$case === 'publish') {
      this.onPublished(body.value.checkpoint?.group ?? '');
    }
    this.send({ body: { $case: 'result', value: result } });
  }

  /** Each member's part of the round, as its runtime's session plays it (no CRIU). */
  private checkpoint(command: CheckpointMembers): Promise<StoredMember[]> {
    return Promise.all(
      command.members.map(async (member) => {
        const index = this.members.findIndex(
          (m) => m.group === command.group && m.member === member,
        );
        const client =
          this.sessions[Math.floor(index / SESSIONS_PER_CONNECTION)] ?? this.sessions[0];
        const declared = this.members[index]?.members ?? [member];
        const session = await (client as CoordinatorClient).openSession({
          group: command.group,
          member,
          kind: 'checkpoint',
          declaredMembers: [...declared],
        });
        try {
          await session.arrive('ready');
          await session.arrive('frozen');
          await session.vote(true);
          await session.complete({ ok: true, imageLocation: '/fake' });
        } finally {
          session.close();
        }
        return {
          member,
          digest: DIGEST,
          size: 1,
          diffId: DIGEST,
          uncompressedSize: 1,
          reference: `fake://${command.group}/${member}`,
          engine: 'podman',
          containerId: `${command.group}-${member}`,
          bundle: '',
          runcRoot: '',
        };
      }),
    );
  }
}

function toWire(m: FakeMember): LocalMember {
  return {
    group: m.group,
    member: m.member,
    engine: 'podman',
    containerId: `${m.group}-${m.member}`,
    label: `${m.group}-${m.member}`,
    state: 'running',
    oomKilled: false,
  };
}
