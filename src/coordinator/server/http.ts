import { createServer, type Server } from 'node:http';
import { CohortError, ErrorCode } from '../../core/errors.js';
import type { ListenAddress } from '../listen-address.js';

export interface HttpEndpoints {
  healthy: () => boolean;
  /** A prom-client registry: what it collects, in the format it names. */
  metrics: { contentType: string; metrics(): Promise<string> };
}

/** `/healthz` and Prometheus `/metrics` on a plain HTTP port, meant for localhost or a scrape network. */
export async function startHttp(
  address: Extract<ListenAddress, { kind: 'tcp' }>,
  endpoints: HttpEndpoints,
): Promise<{ server: Server; address: string }> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET') {
      response.writeHead(405).end();
    } else if (path === '/healthz') {
      const ok = endpoints.healthy();
      response
        .writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' })
        .end(ok ? 'ok\n' : 'stopped\n');
    } else if (path === '/metrics') {
      endpoints.metrics.metrics().then(
        (text) =>
          response.writeHead(200, { 'content-type': endpoints.metrics.contentType }).end(text),
        (error: Error) => response.writeHead(500).end(`${error.message}\n`),
      );
    } else {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('try /healthz or /metrics\n');
    }
  });
  const host = address.host.replace(/^\[|\]$/g, '');
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) =>
      reject(
        new CohortError(
          ErrorCode.Config,
          `--metrics-listen ${address.host}:${address.port}: ${error.message}`,
          { cause: error },
        ),
      ),
    );
    server.listen(address.port, host, () => resolve());
  });
  const bound = server.address();
  const port = typeof bound === 'object' && bound !== null ? bound.port : address.port;
  return { server, address: `${address.host}:${port}` };
}
