import type { CoordinatorClientOptions } from '../coordinator/client.js';
import type { CohortConfig } from '../config/schema.js';

/** The coordinator a member talks to: its own annotation's override, else cohort's config. */
export function coordinatorOptions(
  config: Readonly<CohortConfig>,
  override: string | undefined,
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
