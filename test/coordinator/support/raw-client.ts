import * as grpc from '@grpc/grpc-js';
import * as wire from '../../../src/gen/cohort/v1/coordinator.js';

type Wire = Record<string, unknown>;

interface JsonWire {
  serialize(value: unknown): Buffer;
  deserialize(bytes: Buffer): Wire;
}

/** Messages as the .proto's JSON form spells them (field names, enum names), to and from bytes. */
function json<Req, Res>(request: wire.MessageFns<Req>, reply: wire.MessageFns<Res>): JsonWire {
  return {
    serialize: (value) => Buffer.from(request.encode(request.fromJSON(value)).finish()),
    deserialize: (bytes) => reply.toJSON(reply.decode(bytes)) as Wire,
  };
}

const SESSION = json(wire.MemberMessage, wire.CoordinatorMessage);
const UNARY: Record<string, JsonWire> = {
  Status: json(wire.StatusRequest, wire.StatusReply),
  ApplyGroup: json(wire.GroupManifest, wire.Empty),
  ListGroups: json(wire.Empty, wire.GroupList),
  DeleteGroup: json(wire.GroupRef, wire.Empty),
  History: json(wire.GroupRef, wire.HistoryReply),
  GetDecision: json(wire.DecisionRequest, wire.DecisionReply),
  ReportComplete: json(wire.CompleteReport, wire.Empty),
};

/** A client that skips every check of the real one, to send the server what it must refuse. */
export function rawClient(address: string): grpc.Client {
  return new grpc.Client(address, grpc.credentials.createInsecure(), {
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
  const call = client.makeBidiStreamRequest(
    wire.CoordinatorService.session.path,
    SESSION.serialize,
    SESSION.deserialize,
  );
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
  const codec = UNARY[verb];
  if (codec === undefined) throw new Error(`${verb} is not a unary verb`);
  return new Promise((resolve) =>
    client.makeUnaryRequest(
      `/cohort.v1.Coordinator/${verb}`,
      codec.serialize,
      codec.deserialize,
      request,
      (error, reply) => resolve(error ? { error } : { reply: reply ?? {} }),
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
