import type { ClientTlsConfig, CohortConfig } from '../config/schema.js';
import { checkAddresses, formatAddressList } from '../core/address-list.js';
import { CohortError, ErrorCode } from '../core/errors.js';

/** The coordinator cohortctl talks to, and where that address came from (for error messages). */
export interface CoordinatorTarget {
  /** One address, or every replica's: cohortctl finds the one that leads. */
  addresses: string[];
  source: string;
  tls?: ClientTlsConfig;
  insecure: boolean;
  connectTimeoutMs: number;
}

/** --coordinator (repeatable) wins over the config's coordinator.address; TLS always comes from the config. */
export function resolveCoordinatorTarget(
  flags: readonly string[] | undefined,
  config: Readonly<CohortConfig>,
  configPath: string,
): CoordinatorTarget {
  const { coordinator } = config;
  const given = flags !== undefined && flags.length > 0 ? flags : undefined;
  const target: CoordinatorTarget = {
    addresses: given === undefined ? [...coordinator.address] : [...given],
    source:
      given === undefined
        ? `coordinator.address in ${configPath}, or its default`
        : '--coordinator',
    insecure: coordinator.insecure,
    connectTimeoutMs: coordinator.connectTimeoutMs,
  };
  if (coordinator.tls !== undefined) target.tls = coordinator.tls;
  if (given === undefined) return target;
  checkAddresses(given, { source: '--coordinator', code: ErrorCode.Argv });
  const tcp = given.find((address) => !address.startsWith('unix://'));
  if (tcp !== undefined && target.tls === undefined && !target.insecure) {
    throw new CohortError(
      ErrorCode.Argv,
      `--coordinator ${tcp} is TCP but ${configPath} sets no coordinator.tls; add coordinator.tls { ca, cert, key } (see cohortctl pki init) or coordinator.insecure: true`,
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
    `coordinator at ${formatAddressList(target.addresses)} (from ${target.source}) is unreachable (${why}); ` +
    `start cohortd there, or point cohortctl elsewhere with --coordinator ADDR or coordinator.address in ${configPath} (--config PATH)`
  );
}
