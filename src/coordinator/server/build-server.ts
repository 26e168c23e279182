import * as grpc from '@grpc/grpc-js';
import { CohortError, ErrorCode } from '../../core/errors.js';
import { MALFORMED } from '../wire/fields.js';
import { coordinatorService, MAX_MESSAGE_BYTES, PROTO_FILE } from '../wire/proto.js';
import type { CoordinatorCore } from './coordinator-core.js';
import type { Logger } from './logger.js';
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

/**
 * The service as served: Session's serializer passes pre-serialized broadcasts through, and
 * bytes that are not protobuf reach the handlers as a marked value (INVALID_ARGUMENT there)
 * instead of grpc-js's INTERNAL.
 */
export function sessionServiceDefinition(): grpc.ServiceDefinition {
  const service = coordinatorService().service;
  const served: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
  for (const [name, method] of Object.entries(service)) {
    const deserialize = method.requestDeserialize;
    const serialize = method.responseSerialize;
    served[name] = {
      ...method,
      requestDeserialize: (bytes: Buffer) => {
        try {
          return deserialize(bytes);
        } catch (error) {
          return { [MALFORMED]: error instanceof Error ? error.message : String(error) };
        }
      },
      responseSerialize: (value: unknown) => (Buffer.isBuffer(value) ? value : serialize(value)),
    };
  }
  return served;
}

/** Serializes a stream message once, for a broadcast to many members. */
export function sessionSerializer(): (message: Record<string, unknown>) => Buffer {
  const session = coordinatorService().service.Session;
  if (session === undefined)
    throw new CohortError(ErrorCode.Internal, `${PROTO_FILE} has no Session method`);
  return (message) => session.responseSerialize(message);
}

/** Builds the gRPC server without binding it: callers (and tests) choose the addresses. */
export function buildServer(core: CoordinatorCore, logger: Logger): grpc.Server {
  const server = new grpc.Server(SERVER_CHANNEL_OPTIONS);
  server.addService(sessionServiceDefinition(), {
    ...unaryHandlers(core, logger),
    Session: (
      call: grpc.ServerDuplexStream<Record<string, unknown>, Record<string, unknown> | Buffer>,
    ) => handleSession(core, logger, call),
  });
  return server;
}
