import type { ClientDuplexStream } from '@grpc/grpc-js';
import { connectCoordinator, type CoordinatorClient } from '../coordinator/client.js';
import { toCohortError } from '../core/errors.js';
import type { AgentCommand, AgentReport } from '../gen/cohort/v1/agent.js';
import type { AgentOptions } from './options.js';

/** How often the agent says it is there, besides gRPC's own keepalive. */
const HEARTBEAT_MS = 2_000;
const RETRY_MS = { first: 200, max: 2_000 };

/**
 * The agent's stream to its coordinator, kept up: on every (re)connect it says hello and sends
 * its whole inventory again; reports sent while it is down are dropped (the next inventory says
 * it all). Commands arrive through `onCommand`. Given several replicas, each new stream goes to
 * the one that leads, as far as the client knows (a follower's refusal names it).
 */
export class CoordinatorLink {
  private client: CoordinatorClient | undefined;
  private stream: ClientDuplexStream<AgentReport, AgentCommand> | undefined;
  private retryMs = RETRY_MS.first;
  private stopped = false;
  private readonly heartbeat: NodeJS.Timeout;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly o: AgentOptions,
    private readonly greeting: () => AgentReport[],
    private readonly onCommand: (command: AgentCommand) => void,
  ) {
    this.heartbeat = setInterval(
      () => this.send({ body: { $case: 'heartbeat', value: {} } }),
      HEARTBEAT_MS,
    );
    this.heartbeat.unref();
    void this.connect();
  }

  get connected(): boolean {
    return this.stream !== undefined;
  }

  send(report: AgentReport): void {
    this.stream?.write(report);
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.heartbeat);
    clearTimeout(this.retry);
    this.stream?.end();
    this.stream = undefined;
    this.client?.close();
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    try {
      this.client ??= await connectCoordinator(this.o.coordinator);
    } catch (error) {
      this.o.logger.warn(
        { message: toCohortError(error).message },
        'agent-coordinator-unreachable',
      );
      return this.later();
    }
    const stream = this.client.openAgentLink();
    this.stream = stream;
    stream.on('data', (command: AgentCommand) => {
      this.retryMs = RETRY_MS.first;
      this.onCommand(command);
    });
    const lost = (why: string) => {
      if (this.stream !== stream) return;
      this.stream = undefined;
      this.o.logger.warn({ why }, 'agent-link-lost');
      this.later();
    };
    stream.on('error', (error: Error) => lost(error.message));
    stream.on('end', () => lost('the coordinator ended the stream'));
    for (const report of this.greeting()) stream.write(report);
  }

  private later(): void {
    if (this.stopped) return;
    // Not unref'd: while its coordinator is away this timer is all that keeps a lone agent alive.
    this.retry = setTimeout(() => void this.connect(), this.retryMs);
    this.retryMs = Math.min(RETRY_MS.max, this.retryMs * 2);
  }
}
