import type { ClientTlsConfig, CohortConfig } from '../config/schema.js';
import { parseAddress } from '../core/address.js';
import { CohortError, ErrorCode } from '../core/errors.js';

/** The coordinator cohortctl talks to, and where that address came from (for error messages). */
export interface CoordinatorTarget {
  address: string;
  source: string;
  tls?: ClientTlsConfig;
  insecure: boolean;
  connectTimeoutMs: number;
}

/** --coordinator wins over the config's coordinator.address; TLS always comes from the config. */
export function resolveCoordinatorTarget(
  flag: string | undefined,
  config: Readonly<CohortConfig>,
  configPath: string,
): CoordinatorTarget {
  const { coordinator } = config;
  const target: CoordinatorTarget = {
    address: flag ?? coordinator.address,
    source:
      flag === undefined ? `coordinator.address in ${configPath}, or its default` : '--coordinator',
    insecure: coordinator.insecure,
    connectTimeoutMs: coordinator.connectTimeoutMs,
  };
  if (coordinator.tls !== undefined) target.tls = coordinator.tls;
  if (flag === undefined) return target;
  parseAddress(flag, { source: '--coordinator', code: ErrorCode.Argv });
  if (!flag.startsWith('unix://') && target.tls === undefined && !target.insecure) {
    throw new CohortError(
      ErrorCode.Argv,
      `--coordinator ${flag} is TCP but ${configPath} sets no coordinator.tls; add coordinator.tls { ca, cert, key } (see cohortctl pki init) or coordinator.insecure: true`,
    );
  }
  return target;
}

/** The one-line explanation of an unreachable coordinator: where cohortctl looked, how to look elsewhere. */
export function unreachableMessage(
  target: CoordinatorTarget,
  configPath: string,
  why: string,
): string {
  return (
    `coordinator at ${target.address} (from ${target.source}) is unreachable (${why}); ` +
    `start cohortd there, or point cohortctl elsewhere with --coordinator ADDR or coordinator.address in ${configPath} (--config PATH)`
  );
}
