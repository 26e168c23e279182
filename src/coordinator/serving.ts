import type { Server as HttpServer } from 'node:http';
import { existsSync, unlinkSync } from 'node:fs';
import type * as grpc from '@grpc/grpc-js';
import { CohortError, ErrorCode } from '../core/errors.js';
import { parseListenAddress, type ListenAddress } from './listen-address.js';
import { startHttp } from './server/http.js';
import { bindAll, type ServerTls } from './server/listen.js';
import type { Logger } from './server/logger.js';
import type { Metrics } from './server/metrics.js';

export interface ServingOptions {
  listen: string[];
  tls?: ServerTls;
  insecure?: boolean;
  metricsListen?: string;
  logger: Logger;
}

/** A bound gRPC server and the optional /healthz and /metrics port. */
export interface Serving {
  addresses: string[];
  metricsAddress?: string;
  /**
   * Stops taking calls at once; resolves once open calls ended (at most 2 s), the metrics port
   * closed and unix sockets were removed. End the streams meanwhile (abort rounds) to be quick.
   */
  close(): Promise<void>;
}

/** Checks every address before anything starts: a typo fails before etcd or a log is touched. */
export function checkListen(options: Pick<ServingOptions, 'listen' | 'metricsListen'>): void {
  for (const text of options.listen) parseListenAddress(text);
  if (options.metricsListen === undefined) return;
  if (parseListenAddress(options.metricsListen, '--metrics-listen').kind === 'unix')
    throw new CohortError(
      ErrorCode.Config,
      '--metrics-listen takes host:port (e.g. 127.0.0.1:9464)',
    );
}

/** Binds the server to every listener, and the metrics port when asked. */
export async function serve(
  server: grpc.Server,
  options: ServingOptions,
  health: { healthy: () => boolean; metrics: Metrics },
): Promise<Serving> {
  checkListen(options);
  const addresses = options.listen.map((text) => parseListenAddress(text));
  let http: HttpServer | undefined;
  try {
    const bound = await bindAll(server, addresses, {
      logger: options.logger,
      ...(options.tls === undefined ? {} : { tls: options.tls }),
      ...(options.insecure === undefined ? {} : { insecure: options.insecure }),
    });
    const serving: Serving = {
      addresses: bound,
      close: async () => {
        await shutdownServer(server);
        await new Promise<void>((resolve) =>
          http === undefined ? resolve() : http.close(() => resolve()),
        );
        removeSockets(addresses);
      },
    };
    if (options.metricsListen !== undefined) {
      const metricsAddress = parseListenAddress(options.metricsListen, '--metrics-listen');
      if (metricsAddress.kind === 'tcp') {
        const started = await startHttp(metricsAddress, {
          healthy: health.healthy,
          metrics: health.metrics.registry,
        });
        http = started.server;
        serving.metricsAddress = started.address;
      }
    }
    return serving;
  } catch (error) {
    server.forceShutdown();
    http?.close();
    throw error;
  }
}

/** Stops taking calls and waits briefly for streams to flush their last messages. */
function shutdownServer(server: grpc.Server): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, 2_000);
    server.tryShutdown(() => {
      clearTimeout(force);
      resolve();
    });
  });
}

function removeSockets(addresses: ListenAddress[]): void {
  for (const address of addresses) {
    if (address.kind === 'unix' && existsSync(address.path)) unlinkSync(address.path);
  }
}
