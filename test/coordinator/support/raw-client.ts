import * as grpc from '@grpc/grpc-js';
import { coordinatorService } from '../../../src/coordinator/wire/proto.js';

type Wire = Record<string, unknown>;

/** A client that skips every check of the real one, to send the server what it must refuse. */
export function rawClient(address: string): grpc.Client {
  const Service = coordinatorService();
  return new Service(address, grpc.credentials.createInsecure(), {
    'grpc.max_send_message_length': 8 * 1024 * 1024,
  });
}

export interface RawStream {
  write(message: Wire): void;
  /** The next message the server sends. */
  next(): Promise<Wire>;
  /** The stream's final status. */
  status: Promise<grpc.StatusObject>;
  close(): void;
}

export function rawStream(client: grpc.Client): RawStream {
  const call = (client as unknown as { Session(): grpc.ClientDuplexStream<Wire, Wire> }).Session();
  const queue: Wire[] = [];
  const waiting: ((m: Wire) => void)[] = [];
  call.on('data', (m: Wire) => {
    const w = waiting.shift();
    if (w) w(m);
    else queue.push(m);
  });
  call.on('error', () => undefined);
  const status = new Promise<grpc.StatusObject>((resolve) => call.on('status', resolve));
  return {
    write: (m) => call.write(m),
    next: () => {
      const m = queue.shift();
      return m ? Promise.resolve(m) : new Promise((resolve) => waiting.push(resolve));
    },
    status,
    close: () => call.end(),
  };
}

export function rawUnary(
  client: grpc.Client,
  verb: string,
  request: unknown,
): Promise<{ error?: grpc.ServiceError; reply?: Wire }> {
  const method = (
    client as unknown as Record<
      string,
      (r: unknown, cb: (e: grpc.ServiceError | null, r?: Wire) => void) => void
    >
  )[verb];
  return new Promise((resolve) =>
    method?.call(client, request, (error, reply) =>
      resolve(error ? { error } : { reply: reply ?? {} }),
    ),
  );
}

/** Sends arbitrary bytes as a unary request, past the client's serializer. */
export function rawBytes(
  client: grpc.Client,
  verb: string,
  bytes: Buffer,
): Promise<grpc.ServiceError | null> {
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      `/cohort.v1.Coordinator/${verb}`,
      (b: Buffer) => b,
      (b: Buffer) => b,
      bytes,
      (error) => resolve(error),
    );
  });
}
