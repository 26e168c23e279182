import * as grpc from '@grpc/grpc-js';
import { isIP } from 'node:net';
import { checkServerIdentity } from 'node:tls';
import type { Endpoint } from '../endpoints.js';
import type { EtcdTlsMaterial } from '../options.js';

/** Stands in as the TLS server name for IP addresses, which SNI does not allow (RFC 6066). */
const IP_SERVER_NAME = 'etcd';

export interface EndpointChannel {
  credentials: grpc.ChannelCredentials;
  options: grpc.ChannelOptions;
}

/**
 * Credentials for one member. For an IP address the server certificate is still checked against
 * that IP (its IP SAN); only the SNI name changes, as in the coordinator's own client.
 */
export function endpointChannel(
  endpoint: Endpoint,
  tls: EtcdTlsMaterial | undefined,
  options: grpc.ChannelOptions,
): EndpointChannel {
  if (tls === undefined) return { credentials: grpc.credentials.createInsecure(), options };
  const host = endpoint.address.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  const make = (verify: grpc.VerifyOptions): grpc.ChannelCredentials =>
    grpc.credentials.createSsl(tls.ca, tls.key ?? null, tls.cert ?? null, verify);
  if (isIP(host) === 0) return { credentials: make({}), options };
  return {
    credentials: make({ checkServerIdentity: (_name, cert) => checkServerIdentity(host, cert) }),
    options: { ...options, 'grpc.ssl_target_name_override': IP_SERVER_NAME },
  };
}
