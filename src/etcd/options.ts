import { readFileSync } from 'node:fs';
import { CohortError, ErrorCode } from '../core/errors.js';
import { parseEndpoint, type Endpoint } from './endpoints.js';
import { DEFAULT_PREFIX, normalizePrefix } from './keyspace.js';

/** TLS file paths: the CA that signed etcd's server certificates, and this client's pair. */
export interface EtcdTlsFiles {
  ca: string;
  cert?: string;
  key?: string;
}

export interface EtcdOptions {
  /** Client URLs of the etcd members; the client fails over between them. */
  endpoints: readonly string[];
  tls?: EtcdTlsFiles;
  /** Key prefix of this cohort installation, so several can share one etcd. */
  prefix?: string;
  /** Bound on every request, failover included: past it the request fails with a clear error. */
  requestTimeoutMs?: number;
  /** The election lease's TTL: a dead leader's key goes at most this long (+0.5 s) after it died. */
  leaseTtlSeconds?: number;
  /** How often the leader renews its lease; it counts itself lost TTL after the last renewal sent. */
  keepAliveIntervalMs?: number;
}

/**
 * Defaults chosen so that failover (leader killed → new leader writing) stays under 3 s: a dead
 * leader's key goes when its lease expires, at most TTL after its last renewal plus etcd's 0.5 s
 * expiry tick (measured p50 2.0 s, p99 2.3 s). The leader counts itself deposed at TTL after its
 * last confirmed renewal, never later than etcd could expire the lease.
 * The price: etcd's own failover (a dead raft leader) with its default timers (heartbeat 100 ms,
 * election 1000 ms) takes 1-2 s, during which renewals cannot land, so it deposes the cohort leader
 * about half the time (4 of 6 measured); a new one is then elected within the same bound. Run etcd
 * with --heartbeat-interval=50 --election-timeout=500 (0 of 6 deposed), or raise leaseTtlSeconds.
 */
export const ETCD_DEFAULTS = {
  prefix: DEFAULT_PREFIX,
  requestTimeoutMs: 3000,
  // etcd 3.4 refuses a TTL below 1.5 × its election timeout (1 s by default) rounded up: 2 s.
  leaseTtlSeconds: 2,
} as const;

export interface EtcdTlsMaterial {
  files: EtcdTlsFiles;
  ca: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

/** Options checked, defaulted and frozen, TLS files read. */
export interface EtcdSettings {
  readonly endpoints: readonly Endpoint[];
  readonly tls?: EtcdTlsMaterial;
  readonly prefix: string;
  readonly requestTimeoutMs: number;
  readonly leaseTtlSeconds: number;
  readonly keepAliveIntervalMs: number;
}

export function normalizeEtcdOptions(options: EtcdOptions): EtcdSettings {
  if (options.endpoints.length === 0) {
    throw configError(
      'etcd.endpoints',
      'is empty: name at least one etcd member, e.g. https://127.0.0.1:2379',
    );
  }
  const tls = options.tls === undefined ? undefined : readTls(options.tls);
  const leaseTtlSeconds = whole(
    'etcd.leaseTtlSeconds',
    options.leaseTtlSeconds,
    ETCD_DEFAULTS.leaseTtlSeconds,
    1,
    3600,
  );
  const keepAliveIntervalMs = whole(
    'etcd.keepAliveIntervalMs',
    options.keepAliveIntervalMs,
    // A quarter of the TTL: three renewals may be lost before the leader counts itself gone.
    Math.floor((leaseTtlSeconds * 1000) / 4),
    50,
    leaseTtlSeconds * 1000 - 1,
  );
  return Object.freeze({
    endpoints: Object.freeze(options.endpoints.map((e) => parseEndpoint(e, tls !== undefined))),
    ...(tls === undefined ? {} : { tls }),
    prefix: normalizePrefix(options.prefix ?? ETCD_DEFAULTS.prefix),
    requestTimeoutMs: whole(
      'etcd.requestTimeoutMs',
      options.requestTimeoutMs,
      ETCD_DEFAULTS.requestTimeoutMs,
      100,
      600_000,
    ),
    leaseTtlSeconds,
    keepAliveIntervalMs,
  });
}

function readTls(files: EtcdTlsFiles): EtcdTlsMaterial {
  if ((files.cert === undefined) !== (files.key === undefined)) {
    throw configError(
      'etcd.tls',
      'needs both cert and key (or neither, for a server-only TLS check)',
    );
  }
  const read = (field: string, path: string): Buffer => {
    try {
      return readFileSync(path);
    } catch (error) {
      throw new CohortError(
        ErrorCode.Config,
        `etcd.tls.${field}: cannot read ${path}: ${(error as Error).message}`,
        {
          cause: error,
          details: { key: `etcd.tls.${field}`, path },
        },
      );
    }
  };
  return {
    files,
    ca: read('ca', files.ca),
    ...(files.cert === undefined ? {} : { cert: read('cert', files.cert) }),
    ...(files.key === undefined ? {} : { key: read('key', files.key) }),
  };
}

function whole(
  key: string,
  value: number | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  const chosen = value ?? fallback;
  if (!Number.isInteger(chosen) || chosen < min || chosen > max) {
    throw configError(key, `is ${String(value)}: give a whole number from ${min} to ${max}`);
  }
  return chosen;
}

function configError(key: string, problem: string): CohortError {
  return new CohortError(ErrorCode.Config, `${key} ${problem}`, { details: { key } });
}
