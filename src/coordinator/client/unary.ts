import * as grpc from '@grpc/grpc-js';
import { CohortError, ErrorCode } from '../../core/errors.js';
import { fromServiceError } from '../wire/status-map.js';
import { unreachable } from './channel.js';

/** The part of a generated method definition a client call needs. */
export interface UnaryMethod<Req, Res> {
  path: string;
  requestSerialize: (value: Req) => Buffer;
  responseDeserialize: (bytes: Buffer) => Res;
}

export interface UnaryOptions {
  timeoutMs: number;
  /** Queue the call until the channel connects (used while a restarted coordinator comes back). */
  waitForReady?: boolean;
}

/** One unary call; a gRPC failure comes back as the CohortError the server meant. */
export function callUnary<Req, Res>(
  client: grpc.Client,
  address: string,
  method: UnaryMethod<Req, Res>,
  request: Req,
  o: UnaryOptions,
): Promise<Res> {
  const verb = method.path.slice(method.path.lastIndexOf('/') + 1);
  const metadata = new grpc.Metadata(o.waitForReady === true ? { waitForReady: true } : undefined);
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(
      method.path,
      method.requestSerialize,
      method.responseDeserialize,
      request,
      metadata,
      { deadline: Date.now() + o.timeoutMs },
      (error, reply) => {
        if (error === null) {
          if (reply !== undefined) resolve(reply);
          else reject(new CohortError(ErrorCode.Internal, `${verb} at ${address}: no reply`));
          return;
        }
        // The server's own refusal keeps its code (a follower's names the leader); a lost
        // connection or a missed deadline is "unreachable", with the address.
        const cohort = fromServiceError(error, `${verb} at ${address}`);
        reject(
          cohort.code === ErrorCode.Unreachable
            ? unreachable(address, error.details || error.message, error)
            : cohort,
        );
      },
    );
  });
}
