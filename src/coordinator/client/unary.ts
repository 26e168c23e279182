import * as grpc from '@grpc/grpc-js';
import { CohortError, ErrorCode, isCohortError } from '../../core/errors.js';
import { PROTO_FILE } from '../wire/proto.js';
import { fromServiceError } from '../wire/status-map.js';
import { unreachable } from './channel.js';

type Wire = Record<string, unknown>;
type UnaryMethod = (
  request: Wire,
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  callback: (error: grpc.ServiceError | null, reply?: Wire) => void,
) => grpc.ClientUnaryCall;

export interface UnaryOptions {
  timeoutMs: number;
  /** Queue the call until the channel connects (used while a restarted coordinator comes back). */
  waitForReady?: boolean;
}

/** One unary call; a gRPC failure comes back as the CohortError the server meant. */
export function callUnary(
  client: grpc.Client,
  address: string,
  verb: string,
  request: Wire,
  o: UnaryOptions,
): Promise<Wire> {
  const method = (client as unknown as Record<string, UnaryMethod | undefined>)[verb];
  if (method === undefined)
    throw new CohortError(ErrorCode.Internal, `${PROTO_FILE} has no ${verb}`);
  const metadata = new grpc.Metadata(o.waitForReady === true ? { waitForReady: true } : undefined);
  return new Promise((resolve, reject) => {
    method.call(
      client,
      request,
      metadata,
      { deadline: Date.now() + o.timeoutMs },
      (error, reply) => {
        if (error === null) {
          resolve(reply ?? {});
          return;
        }
        const cohort = fromServiceError(error, `${verb} at ${address}`);
        const lost =
          error.code === grpc.status.UNAVAILABLE || error.code === grpc.status.DEADLINE_EXCEEDED;
        reject(
          lost && !isCohortError(cohort.cause)
            ? unreachable(address, error.details || error.message, error)
            : cohort,
        );
      },
    );
  });
}
