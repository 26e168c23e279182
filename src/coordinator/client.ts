import * as grpc from '@grpc/grpc-js';
import { AgentsService, type AgentCommand, type AgentReport } from '../gen/cohort/v1/agent.js';
import { CoordinatorService as Service } from '../gen/cohort/v1/coordinator.js';
import { GroupsService } from '../gen/cohort/v1/groups.js';
import type {
  CompletionReport,
  CoordinatorClient,
  CoordinatorClientOptions,
  GroupsApi,
  JoinRequest,
  MemberSession,
  SessionOptions,
} from './client-types.js';
import { channelFor, unreachable } from './client/channel.js';
import {
  decodeDecisionReply,
  decodeRoundRecord,
  decodeStatusReply,
} from './client/decode-reply.js';
import { openMemberSession } from './client/open-session.js';
import { callUnary, type UnaryMethod } from './client/unary.js';
import type { DecisionRecord, GroupManifest, RoundRecord, StatusReply } from './types.js';
import { decodeManifest } from './wire/decode-unary.js';
import { encodeCompleteReport, encodeManifest } from './wire/encode.js';

export type * from './client-types.js';
export type {
  Deadlines,
  DecisionRecord,
  GroupManifest,
  RoundRecord,
  StatusReply,
} from './types.js';

const DEFAULT_RECONNECT_WINDOW_MS = 15_000;
/** A day: a group's dump and upload take what they take; gRPC needs some deadline. */
const OPERATION_TIMEOUT_MS = 86_400_000;
/** Unary calls answer from memory (or one fsync): seconds mean the coordinator is in trouble. */
const UNARY_TIMEOUT_MS = 10_000;

/** Connects and waits until the channel is ready; a coordinator that cannot be reached is an error. */
export async function connectCoordinator(o: CoordinatorClientOptions): Promise<CoordinatorClient> {
  const target = o.address.startsWith('unix://') ? o.address : `dns:${o.address}`;
  const channel = channelFor(o.address, o.tls, o.insecure);
  const client = new grpc.Client(target, channel.credentials, channel.options);
  try {
    await new Promise<void>((resolve, reject) => {
      client.waitForReady(Date.now() + o.connectTimeoutMs, (error) =>
        error ? reject(error) : resolve(),
      );
    });
  } catch (error) {
    const why = lastConnectError(client) ?? `not ready within ${o.connectTimeoutMs} ms`;
    client.close();
    throw unreachable(o.address, why, error);
  }
  return new Client(client, o);
}

function lastConnectError(client: grpc.Client): string | undefined {
  const state = client.getChannel().getConnectivityState(false);
  return state === grpc.connectivityState.TRANSIENT_FAILURE
    ? 'connection failed (TLS or socket)'
    : undefined;
}

class Client implements CoordinatorClient {
  constructor(
    private readonly client: grpc.Client,
    private readonly o: CoordinatorClientOptions,
  ) {}

  openSession(join: JoinRequest, options: SessionOptions = {}): Promise<MemberSession> {
    return openMemberSession(this.client, join, {
      address: this.o.address,
      answerTimeoutMs: Math.max(this.o.connectTimeoutMs, 1_000),
      reconnectWindowMs:
        options.reconnectWindowMs ?? this.o.reconnectWindowMs ?? DEFAULT_RECONNECT_WINDOW_MS,
    });
  }

  async status(group?: string): Promise<StatusReply> {
    return decodeStatusReply(await this.call(Service.status, { group: group ?? '' }));
  }

  async applyGroup(manifest: GroupManifest): Promise<void> {
    await this.call(Service.applyGroup, encodeManifest(manifest));
  }

  async listGroups(): Promise<GroupManifest[]> {
    return (await this.call(Service.listGroups, {})).groups.map(decodeManifest);
  }

  async deleteGroup(name: string): Promise<void> {
    await this.call(Service.deleteGroup, { name });
  }

  async history(group: string): Promise<RoundRecord[]> {
    return (await this.call(Service.history, { name: group })).rounds.map(decodeRoundRecord);
  }

  async getDecision(group: string, epoch: number): Promise<DecisionRecord | undefined> {
    const reply = decodeDecisionReply(await this.call(Service.getDecision, { group, epoch }));
    return reply.state === 'decided' ? reply.decision : undefined;
  }

  async reportComplete(report: CompletionReport): Promise<void> {
    await this.call(Service.reportComplete, encodeCompleteReport(report));
  }

  readonly groups: GroupsApi = {
    // A group operation lasts as long as its members' dumps and uploads: no deadline of ours.
    checkpoint: (request) => this.call(GroupsService.checkpoint, request, OPERATION_TIMEOUT_MS),
    restore: (request) => this.call(GroupsService.restore, request, OPERATION_TIMEOUT_MS),
    setPolicy: (request) => this.call(GroupsService.setPolicy, request),
    show: (name) => this.call(GroupsService.show, { name }),
    checkpoints: (group, from = '') => this.call(GroupsService.checkpoints, { group, from }),
    nodes: () => this.call(GroupsService.nodes, {}),
  };

  openAgentLink(): grpc.ClientDuplexStream<AgentReport, AgentCommand> {
    const link = AgentsService.link;
    return this.client.makeBidiStreamRequest(
      link.path,
      link.requestSerialize,
      link.responseDeserialize,
    );
  }

  close(): void {
    this.client.close();
  }

  private call<Req, Res>(
    method: UnaryMethod<Req, Res>,
    request: Req,
    timeoutMs = UNARY_TIMEOUT_MS,
  ): Promise<Res> {
    return callUnary(this.client, this.o.address, method, request, { timeoutMs });
  }
}
