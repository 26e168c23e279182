import { formatAddress, parseAddress, type Address } from '../core/address.js';

export type ListenAddress = Address;

/** A listener: `unix:///absolute/path`, `host:port` or `[v6]:port`; port 0 picks a free one. */
export function parseListenAddress(text: string, option = '--listen'): ListenAddress {
  return parseAddress(text, { source: option, allowAnyPort: true });
}

export const formatListenAddress = formatAddress;
