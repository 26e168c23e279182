import type { CoordinatorClientOptions } from '../coordinator/client.js';
import type { CohortConfig } from '../config/schema.js';

/** The coordinator a member talks to (one or its replicas): its annotation's, else the config's. */
export function coordinatorOptions(
  config: Readonly<CohortConfig>,
  override: readonly string[] | undefined,
): CoordinatorClientOptions {
  const { coordinator } = config;
  const options: CoordinatorClientOptions = {
    address: override ?? coordinator.address,
    connectTimeoutMs: coordinator.connectTimeoutMs,
    reconnectWindowMs: coordinator.reconnectWindowMs,
    insecure: coordinator.insecure,
  };
  if (coordinator.tls !== undefined) options.tls = coordinator.tls;
  return options;
}
