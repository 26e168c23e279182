import { CohortError, ErrorCode } from './errors.js';
import { parseAddress, type AddressRule } from './address.js';

/**
 * Several coordinator replicas in one value. `+` because podman splits an unquoted
 * `--annotation` value on commas and a shell needs no quoting for `+`; `,` as Kubernetes YAML
 * and lists usually write it. Neither appears in a host, a port or a sane socket path.
 */
export const ADDRESS_LIST_SEPARATOR = '+';
const SEPARATORS = /[+,]/;

/** An example for messages: what the list form looks like. */
export const ADDRESS_LIST_EXAMPLE = '10.0.0.1:7443+10.0.0.2:7443+10.0.0.3:7443';

/** One address or several (`a+b`, `a,b`), each checked by the one address rule; no repeats. */
export function parseAddressList(text: string, rule: AddressRule): string[] {
  const code = rule.code ?? ErrorCode.Config;
  const parts = text.split(SEPARATORS).map((part) => part.trim());
  if (parts.some((part) => part === '')) {
    throw new CohortError(
      code,
      `${rule.source} "${text}" has an empty entry; write one address, or several joined by "+" (podman) or "," such as ${ADDRESS_LIST_EXAMPLE}`,
      { details: { key: rule.source } },
    );
  }
  return checkAddresses(parts, rule);
}

/** Addresses given one by one (a repeated flag, a JSON list): each checked, none twice. */
export function checkAddresses(addresses: readonly string[], rule: AddressRule): string[] {
  const code = rule.code ?? ErrorCode.Config;
  if (addresses.length === 0) {
    throw new CohortError(code, `${rule.source} names no address; give at least one`, {
      details: { key: rule.source },
    });
  }
  for (const address of addresses) {
    try {
      parseAddress(address, rule);
    } catch (error) {
      if (addresses.length === 1) throw error;
      throw new CohortError(
        code,
        `${rule.source}: "${address}" is not an address; write unix:///path or host:port, several joined by "+" (podman) or "," such as ${ADDRESS_LIST_EXAMPLE}`,
        { cause: error, details: { key: rule.source } },
      );
    }
  }
  const twice = addresses.find((address, index) => addresses.indexOf(address) !== index);
  if (twice !== undefined) {
    throw new CohortError(code, `${rule.source} names ${twice} twice; name each replica once`, {
      details: { key: rule.source },
    });
  }
  return [...addresses];
}

export function formatAddressList(addresses: readonly string[]): string {
  return addresses.join(ADDRESS_LIST_SEPARATOR);
}

/** One address or several, as a list. */
export function toAddressList(value: string | readonly string[]): string[] {
  return typeof value === 'string' ? [value] : [...value];
}
