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
import { onLeader } from './client/on-leader.js';
import { Replicas } from './client/replicas.js';
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
import { fromServiceError } from './wire/status-map.js';
import { formatAddressList, toAddressList } from '../core/address-list.js';

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
/** Longer than a write riding out an etcd hiccup (its request timeout, 3 s), shorter than the call. */
const REPLICA_TURN_MS = 4_000;

/**
 * Connects and waits until a replica's channel is ready; a coordinator none of whose addresses
 * can be reached is an error. Calls then go to the leader, found through followers' refusals.
 */
export async function connectCoordinator(o: CoordinatorClientOptions): Promise<CoordinatorClient> {
  const addresses = toAddressList(o.address);
  const replicas = new Replicas(addresses, (address) => channelFor(address, o.tls, o.insecure));
  if (!(await replicas.connect(Date.now() + o.connectTimeoutMs))) {
    const why = addresses.some((a) => replicas.failedToConnect(a))
      ? 'connection failed (TLS or socket)'
      : `not ready within ${o.connectTimeoutMs} ms`;
    replicas.close();
    throw unreachable(formatAddressList(addresses), why);
  }
  return new Client(replicas, o);
}

class Client implements CoordinatorClient {
  constructor(
    private readonly replicas: Replicas,
    private readonly o: CoordinatorClientOptions,
  ) {}

  /** The replica this client talks to now: the leader, as far as it knows. */
  get address(): string {
    return this.replicas.address;
  }

  openSession(join: JoinRequest, options: SessionOptions = {}): Promise<MemberSession> {
    const answerTimeoutMs = Math.max(this.o.connectTimeoutMs, 1_000);
    const reconnectWindowMs =
      options.reconnectWindowMs ?? this.o.reconnectWindowMs ?? DEFAULT_RECONNECT_WINDOW_MS;
    // A join is sent again only where it was refused unread (a follower), never after it may
    // have reached a leader: a member must not stand in two rounds.
    return onLeader(
      this.replicas,
      (client, address) =>
        openMemberSession(client, join, {
          address,
          replicas: this.replicas,
          answerTimeoutMs,
          reconnectWindowMs,
        }),
      { until: Date.now() + answerTimeoutMs, resend: false },
    );
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
    await this.call(Service.deleteGroup, { name }, UNARY_TIMEOUT_MS, false);
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
    // A group operation lasts as long as its members' dumps and uploads: no deadline of ours,
    // and never sent twice (a second checkpoint is not the first one again).
    checkpoint: (request) =>
      this.call(GroupsService.checkpoint, request, OPERATION_TIMEOUT_MS, false),
    restore: (request) => this.call(GroupsService.restore, request, OPERATION_TIMEOUT_MS, false),
    setPolicy: (request) => this.call(GroupsService.setPolicy, request),
    show: (name) => this.call(GroupsService.show, { name }),
    checkpoints: (group, from = '') => this.call(GroupsService.checkpoints, { group, from }),
    nodes: () => this.call(GroupsService.nodes, {}),
  };

  /** On the current replica; when it ends with a refusal, the next link goes where it points. */
  openAgentLink(): grpc.ClientDuplexStream<AgentReport, AgentCommand> {
    const link = AgentsService.link;
    const address = this.replicas.address;
    const stream = this.replicas
      .client(address)
      .makeBidiStreamRequest(link.path, link.requestSerialize, link.responseDeserialize);
    stream.on('error', (error: grpc.ServiceError) =>
      this.replicas.moveOn(address, fromServiceError(error, `agent link at ${address}`)),
    );
    return stream;
  }

  close(): void {
    this.replicas.close();
  }

  /** A unary call on the leader; reads and idempotent writes may be sent to the next replica. */
  private call<Req, Res>(
    method: UnaryMethod<Req, Res>,
    request: Req,
    timeoutMs = UNARY_TIMEOUT_MS,
    resend = true,
  ): Promise<Res> {
    const until = Date.now() + timeoutMs;
    return onLeader(
      this.replicas,
      (client, address) => {
        // Several replicas: one that hangs (cut off from etcd) gets a turn, not the whole budget.
        const left = Math.max(1, until - Date.now());
        const turn = resend && this.replicas.several ? Math.min(left, REPLICA_TURN_MS) : left;
        return callUnary(client, address, method, request, { timeoutMs: turn });
      },
      { until, resend },
    );
  }
}
