import { CohortError, ErrorCode } from '../../core/errors.js';
import { describeEndpoints, type Endpoint } from '../endpoints.js';
import type { EtcdSettings } from '../options.js';
import type { Failure } from './classify-failure.js';

/**
 * The one error for a request that no member could serve, by what went wrong most tellingly:
 * a refused handshake beats a lost quorum, which beats a member that was not there.
 */
export function failureError(
  what: string,
  failures: readonly Failure[],
  settings: EtcdSettings,
): CohortError {
  const endpoints = describeEndpoints(settings.endpoints);
  const within = `within ${settings.requestTimeoutMs} ms`;
  const last = (kind: Failure['kind'][]): Failure | undefined =>
    [...failures].reverse().find((f) => kind.includes(f.kind));
  const details = {
    endpoints,
    what,
    timeoutMs: settings.requestTimeoutMs,
    attempts: failures.length,
  };
  const tls = last(['tls']);
  if (tls !== undefined) return tlsError(tls, settings, details);
  const quorum = last(['no-leader', 'timeout']);
  if (quorum !== undefined) {
    const why = quorum.kind === 'timeout' ? 'no answer' : quorum.reason;
    return new CohortError(
      ErrorCode.EtcdNoQuorum,
      `etcd (${endpoints}) could not ${what} ${within} (${why} at ${quorum.endpoint.url}): ` +
        `the cluster has no raft leader, most likely lost quorum; start the stopped members so a majority runs ` +
        `(a write's outcome is unknown until then)`,
      {
        details: {
          ...details,
          endpoint: quorum.endpoint.url,
          reason: quorum.reason,
          outcome: 'unknown',
        },
      },
    );
  }
  const reasons = unique(failures.map((f) => `${f.endpoint.url}: ${f.reason}`)).join('; ');
  return new CohortError(
    ErrorCode.EtcdUnreachable,
    `no etcd endpoint answered ${what} ${within} (${reasons}): check that etcd runs at ${endpoints} and that etcd.endpoints is right`,
    { details },
  );
}

/** An answer that another member would repeat: the request itself is wrong or refused. */
export function grpcError(
  what: string,
  reason: string,
  cause: unknown,
  endpoint?: Endpoint,
): CohortError {
  const where = endpoint === undefined ? '' : ` at ${endpoint.url}`;
  return new CohortError(ErrorCode.Store, `etcd refused ${what}${where}: ${reason}`, {
    cause,
    details: { what, reason, ...(endpoint === undefined ? {} : { endpoint: endpoint.url }) },
  });
}

function unique(items: string[]): string[] {
  return [...new Set(items)];
}

/** Which side's certificate failed decides the fix: ours (an alert from etcd) or etcd's. */
function tlsError(
  failure: Failure,
  settings: EtcdSettings,
  details: Record<string, string | number>,
): CohortError {
  const files = settings.tls?.files;
  const facts = { details: { ...details, endpoint: failure.endpoint.url, reason: failure.reason } };
  if (/alert|certificate required/i.test(failure.reason)) {
    return new CohortError(
      ErrorCode.EtcdTls,
      `etcd at ${failure.endpoint.url} refused this client's certificate (${failure.reason}): ` +
        `etcd.tls.cert (${files?.cert ?? 'unset'}) and key must be a client pair signed by the CA etcd trusts (its --trusted-ca-file)`,
      facts,
    );
  }
  return new CohortError(
    ErrorCode.EtcdTls,
    `etcd's server certificate at ${failure.endpoint.url} was not accepted (${failure.reason}): ` +
      `etcd.tls.ca (${files?.ca ?? 'unset'}) must be the CA that signed etcd's server certificates, which must name this host`,
    facts,
  );
}
