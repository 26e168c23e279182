import type { CoordinatorClientOptions } from '../coordinator/client.js';
import type { Logger } from '../coordinator/server/logger.js';
import type { Podman } from '../engines/podman/run.js';
import type { StoreOptions } from '../store/index.js';

/** Everything a node agent needs, decided by its entry (cohortd agent, or cohortd itself). */
export interface AgentOptions {
  node: string;
  coordinator: CoordinatorClientOptions;
  /** podman as the agent runs it; absent: this node runs no podman members. */
  podman?: Podman;
  /** runc's state roots the agent watches; empty: no bare runc members. */
  runcRoots: readonly string[];
  runc: string;
  /** This installation's bin/cohort, through which runc members are checkpointed and restored. */
  cohort: string;
  /** The environment handed to bin/cohort (its COHORT_CONFIG) and to podman. */
  env: Readonly<Record<string, string | undefined>>;
  /**
   * The state dirs whose front doors the agent hosts sessions for: its config's, and the default
   * config's when that differs (podman runs a runtime's checkpoint with no COHORT_CONFIG).
   */
  sessionStateDirs: readonly string[];
  /** Checkpoint images of runc members and fetched archives live here. */
  workDir: string;
  store: Pick<StoreOptions, 'tlsVerify' | 'caFile' | 'gzipLevel'>;
  /** The runtime's name as podman on a restoring node knows it (podman's checkpoint images). */
  podmanRuntimeName: string;
  /** How often the engines are asked what runs (runc; podman also reports its own events). */
  pollMs: number;
  logger: Logger;
}
