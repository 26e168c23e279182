import { hostname } from 'node:os';
import { parseAddress } from '../../core/address.js';

const WILDCARD = new Set(['0.0.0.0', '[::]', '::']);

/**
 * Where clients reach this replica, as followers name it: `--advertise` when given; else its TCP
 * listeners (a wildcard host replaced by this machine's name); else its unix sockets, which
 * reach it only from this machine.
 */
export function advertisedAddresses(
  given: readonly string[] | undefined,
  bound: readonly string[],
): string[] {
  if (given !== undefined && given.length > 0) return [...given];
  const tcp = bound.flatMap((text) => {
    const address = parseAddress(text, { source: '--listen', allowAnyPort: true });
    if (address.kind !== 'tcp') return [];
    return [`${WILDCARD.has(address.host) ? hostname() : address.host}:${address.port}`];
  });
  return tcp.length > 0 ? tcp : [...bound];
}
