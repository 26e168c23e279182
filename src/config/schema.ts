/** cohort's configuration, as validated: every field present, paths absolute. */
export interface CohortConfig {
  /** Absolute path of the real runc; the front door reads this key too. */
  runc: string;
  /** Where cohort keeps per-container CRIU configs and session channels. */
  stateDir: string;
  /** The CRIU action script cohort attaches to every container it creates. */
  hook: string;
  coordinator: CoordinatorConfig;
  criu: CriuConfig;
  session: SessionConfig;
}

export interface CoordinatorConfig {
  /** `unix:///path` or `host:port` (TCP needs `tls` unless `insecure`). */
  address: string;
  tls?: ClientTlsConfig;
  insecure: boolean;
  connectTimeoutMs: number;
  /** How long a session keeps asking a restarted coordinator for a decision it may have recorded. */
  reconnectWindowMs: number;
}

export interface ClientTlsConfig {
  ca: string;
  cert: string;
  key: string;
}

export interface CriuConfig {
  /** CRIU's TLS options for page-server connections (criu --tls*). */
  pageServerTls?: PageServerTlsConfig;
}

export interface PageServerTlsConfig {
  cacert?: string;
  cacrl?: string;
  cert?: string;
  key?: string;
  noCnVerify: boolean;
}

export interface SessionConfig {
  heartbeatMs: number;
}

export const DEFAULT_CONFIG_PATH = '/etc/cohort/config.json';

/** Searched in order when the config names no runc; absolute because podman gives no PATH. */
export const RUNC_SEARCH_PATH = [
  '/usr/local/sbin/runc',
  '/usr/local/bin/runc',
  '/usr/sbin/runc',
  '/usr/bin/runc',
  '/sbin/runc',
  '/bin/runc',
];

export const DEFAULTS = {
  stateDir: '/run/cohort',
  coordinatorAddress: 'unix:///run/cohort/cohortd.sock',
  connectTimeoutMs: 5_000,
  reconnectWindowMs: 15_000,
  heartbeatMs: 1_000,
} as const;
