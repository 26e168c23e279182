import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PROTO = join(dirname(fileURLToPath(import.meta.url)), 'cri.proto');

type Call = (
  request: object,
  callback: (error: grpc.ServiceError | null, reply: unknown) => void,
) => void;

/** A minimal CRI client: the calls kubelet makes to start one pod with one container. */
export interface CriClient {
  call<T>(method: string, request: object): Promise<T>;
  close(): void;
}

export function connectCri(socket: string): CriClient {
  const definition = protoLoader.loadSync(PROTO, { keepCase: true, enums: String, defaults: true });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as {
    runtime: { v1: { RuntimeService: grpc.ServiceClientConstructor } };
  };
  const client = new loaded.runtime.v1.RuntimeService(
    `unix://${socket}`,
    grpc.credentials.createInsecure(),
  );
  return {
    call<T>(method: string, request: object): Promise<T> {
      const fn = (client as unknown as Record<string, Call>)[method];
      if (fn === undefined) throw new Error(`no CRI method ${method}`);
      return new Promise((resolve, reject) => {
        fn.call(client, request, (error, reply) =>
          error === null ? resolve(reply as T) : reject(error),
        );
      });
    },
    close: () => client.close(),
  };
}
