import * as grpc from '@grpc/grpc-js';
import type { CohortError } from '../../core/errors.js';
import {
  SERVER_CHANNEL_OPTIONS,
  serviceDefinitions,
  type ServiceName,
} from '../server/build-server.js';
import { toStatusObject } from '../wire/status-map.js';

/** The handlers of the term that leads now, if this replica leads. */
export type CurrentHandlers = () =>
  Record<ServiceName, grpc.UntypedServiceImplementation> | undefined;

type AnyCall = grpc.ServerUnaryCall<unknown, unknown> | grpc.ServerDuplexStream<unknown, unknown>;
type AnyHandler = (call: AnyCall, callback?: grpc.sendUnaryData<unknown>) => void;

/**
 * The server a replica binds once: each call goes to the leading term's handler, or is refused
 * with the follower's answer (the leader's address) before anything is read or changed.
 */
export function buildGate(current: CurrentHandlers, refusal: () => CohortError): grpc.Server {
  const server = new grpc.Server(SERVER_CHANNEL_OPTIONS);
  const definitions = serviceDefinitions();
  for (const name of Object.keys(definitions) as ServiceName[]) {
    const definition = definitions[name];
    const handlers: grpc.UntypedServiceImplementation = {};
    for (const [method, spec] of Object.entries(definition)) {
      const streaming = spec.requestStream || spec.responseStream;
      const gated: AnyHandler = (call, callback) => {
        const handler = current()?.[name][method] as AnyHandler | undefined;
        if (handler !== undefined) return handler(call, callback);
        const status = toStatusObject(refusal());
        if (streaming || callback === undefined) call.emit('error', status);
        else callback(status);
      };
      handlers[method] = gated as grpc.UntypedHandleCall;
    }
    server.addService(definition, handlers);
  }
  return server;
}
