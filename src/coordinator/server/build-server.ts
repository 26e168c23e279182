import * as grpc from '@grpc/grpc-js';
import {
  type CoordinatorMessage,
  CoordinatorService as Service,
} from '../../gen/cohort/v1/coordinator.js';
import { Malformed } from '../wire/checks.js';
import { MAX_MESSAGE_BYTES } from '../wire/limits.js';
import type { MachineRunner } from './machine-runner.js';
import type { Logger } from './logger.js';
import { AgentsService } from '../../gen/cohort/v1/agent.js';
import { handleAgentLink } from '../fleet/agent-link.js';
import type { Fleet } from '../fleet/fleet.js';
import { groupsService } from '../fleet/groups-service.js';
import { GroupsService } from '../../gen/cohort/v1/groups.js';
import { handleSession } from './session-handler.js';
import { unaryHandlers } from './unary-handlers.js';

/** Server pings every 2 s and drops a peer silent for 2 s more: a vanished member is seen in ~4 s. */
export const SERVER_CHANNEL_OPTIONS: grpc.ServerOptions = {
  'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
  'grpc.max_send_message_length': 8 * MAX_MESSAGE_BYTES,
  'grpc.keepalive_time_ms': 2_000,
  'grpc.keepalive_timeout_ms': 2_000,
  'grpc.keepalive_permit_without_calls': 1,
  // Channelz keeps per-call traces: memory a thousand member streams do not need.
  'grpc.enable_channelz': 0,
};

/** The service as served, keyed by the .proto's method names (the verbs identity checks use). */
export function sessionServiceDefinition() {
  return {
    Session: served(Service.session),
    Status: served(Service.status),
    ApplyGroup: served(Service.applyGroup),
    ListGroups: served(Service.listGroups),
    DeleteGroup: served(Service.deleteGroup),
    History: served(Service.history),
    GetDecision: served(Service.getDecision),
    ReportComplete: served(Service.reportComplete),
  } satisfies grpc.ServiceDefinition;
}

/**
 * Pre-serialized broadcasts pass through the serializer, and bytes that are not protobuf reach
 * the handler as Malformed (INVALID_ARGUMENT there) instead of grpc-js's INTERNAL.
 */
function served<Req, Res>(method: grpc.MethodDefinition<Req, Res>) {
  return {
    ...method,
    requestDeserialize: (bytes: Buffer): Req | Malformed => {
      try {
        return method.requestDeserialize(bytes);
      } catch (error) {
        return new Malformed(error instanceof Error ? error.message : String(error));
      }
    },
    responseSerialize: (value: Res | Buffer): Buffer =>
      Buffer.isBuffer(value) ? value : method.responseSerialize(value),
  };
}

/** Serializes a stream message once, for a broadcast to many members. */
export function sessionSerializer(): (message: CoordinatorMessage) => Buffer {
  return Service.session.responseSerialize;
}

/** The services cohortd serves, by name: the protocol, the node agents' links, group operations. */
export type ServiceName = 'coordinator' | 'agents' | 'groups';

export function serviceDefinitions(): Record<ServiceName, grpc.ServiceDefinition> {
  return {
    coordinator: sessionServiceDefinition(),
    agents: { Link: served(AgentsService.link) },
    groups: GroupsService,
  };
}

/** Every service's handlers, bound to one machine runner and one fleet. */
export function serviceHandlers(
  runner: MachineRunner,
  fleet: Fleet,
  logger: Logger,
): Record<ServiceName, grpc.UntypedServiceImplementation> {
  return {
    coordinator: {
      ...unaryHandlers(runner, logger),
      Session: (call: Parameters<typeof handleSession>[2]) => handleSession(runner, logger, call),
    },
    agents: {
      Link: (call: Parameters<typeof handleAgentLink>[2]) =>
        handleAgentLink(fleet.registry, logger, call),
    },
    groups: groupsService(fleet, logger).handlers,
  };
}

/** Builds the gRPC server without binding it: callers (and tests) choose the addresses. */
export function buildServer(runner: MachineRunner, fleet: Fleet, logger: Logger): grpc.Server {
  const server = new grpc.Server(SERVER_CHANNEL_OPTIONS);
  const definitions = serviceDefinitions();
  const handlers = serviceHandlers(runner, fleet, logger);
  for (const name of ['coordinator', 'agents', 'groups'] as const)
    server.addService(definitions[name], handlers[name]);
  return server;
}
