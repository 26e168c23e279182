import { CohortError, ErrorCode } from '../core/errors.js';

/** One etcd member's client URL, as gRPC dials it. */
export interface Endpoint {
  /** As the user wrote it, for messages. */
  url: string;
  /** host:port, the gRPC target. */
  address: string;
  secure: boolean;
}

const FORM = /^(?:(https?):\/\/)?(\[[0-9a-fA-F:.]+\]|[^\s/:[\]]+):(\d{1,5})\/?$/;

/**
 * `https://host:port`, `http://host:port` or `host:port` (secure when TLS files are given).
 * A scheme that disagrees with the TLS setting is refused rather than guessed.
 */
export function parseEndpoint(text: string, tls: boolean): Endpoint {
  const match = FORM.exec(text.trim());
  const port = Number(match?.[3]);
  if (match === null || !(port >= 1 && port <= 65535)) {
    throw new CohortError(
      ErrorCode.Config,
      `etcd endpoint '${text}' is not of the form https://host:port (or host:port)`,
      { details: { key: 'etcd.endpoints', value: text } },
    );
  }
  const scheme = match[1];
  if (scheme === 'http' && tls) {
    throw new CohortError(
      ErrorCode.Config,
      `etcd endpoint '${text}' is plain http but etcd.tls is set: write https://${match[2]}:${port}`,
      { details: { key: 'etcd.endpoints', value: text } },
    );
  }
  if (scheme === 'https' && !tls) {
    throw new CohortError(
      ErrorCode.Config,
      `etcd endpoint '${text}' is https but etcd.tls is not set: give etcd.tls.ca (and cert, key)`,
      { details: { key: 'etcd.endpoints', value: text } },
    );
  }
  return { url: text.trim(), address: `${match[2]}:${port}`, secure: tls };
}

export function describeEndpoints(endpoints: readonly Endpoint[]): string {
  return endpoints.map((e) => e.url).join(', ');
}
