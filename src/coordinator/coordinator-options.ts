import type { CohortError } from '../core/errors.js';
import type { EtcdOptions } from '../etcd/index.js';
import type { Fleet } from './fleet/fleet.js';
import type { ServerTls } from './server/listen.js';
import type { Logger } from './server/logger.js';
import type { FaultInjection } from './server/machine-runner.js';
import type { Deadlines } from './types.js';

export interface StartCoordinatorOptions {
  /** `unix:///path` or `host:port` (port 0: any free port). */
  listen: string[];
  /** The embedded log's directory (unused with `etcd`). */
  stateDir: string;
  /** Keep state in etcd and run as one of several replicas: the elected one leads, the rest follow. */
  etcd?: EtcdOptions;
  /** What followers tell clients to dial for this replica when it leads; default: its TCP listeners. */
  advertise?: string[];
  deadlines?: Partial<Deadlines>;
  /** PEM file paths: the CA that signs client certificates, the server's certificate and key. */
  tls?: ServerTls;
  /** Allows plaintext TCP listeners. */
  insecure?: boolean;
  /** `host:port` for /healthz and /metrics; off when absent. */
  metricsListen?: string;
  /** A pino logger; silent when absent. */
  logger?: Logger;
  clock?: () => number;
  /** How long a node's agent may be away before its members count as lost (default 15 s). */
  agentLossMs?: number;
  /** Test-only fault injection. */
  faults?: FaultInjection;
}

export interface RunningCoordinator {
  /** The bound addresses, with real ports in place of 0. */
  addresses: string[];
  metricsAddress?: string;
  /** Aborts open rounds ("coordinator shutting down"), ends streams, closes the log (or resigns). */
  stop(): Promise<void>;
  /** Settles if the coordinator stops by itself: its log cannot be written, or etcd refuses it. */
  failed: Promise<CohortError>;
  /** Its node agents and the group operations it runs; with etcd, only while it leads. */
  readonly fleet: Fleet | undefined;
}

/** A node agent gone this long has lost its members: long enough for a restart, short for work. */
export const DEFAULT_AGENT_LOSS_MS = 15_000;
