import { isAbsolute } from 'node:path';
import { CohortError, ErrorCode } from './errors.js';

/** A coordinator (or metrics) address: a unix socket, or TCP host and port. */
export type Address = { kind: 'unix'; path: string } | { kind: 'tcp'; host: string; port: number };

export interface AddressRule {
  /** What the text came from, for the message: `--listen`, `coordinator.address`, an annotation. */
  source: string;
  /** Listeners may ask for port 0 (any free port); a peer to dial may not. */
  allowAnyPort?: boolean;
  code?: (typeof ErrorCode)[keyof typeof ErrorCode];
}

const TCP = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):(\d{1,5})$/;

/** The one address rule: `unix:///absolute/path`, `host:port` or `[v6]:port`, port up to 65535. */
export function parseAddress(text: string, rule: AddressRule): Address {
  const code = rule.code ?? ErrorCode.Config;
  if (text.startsWith('unix://')) {
    const path = text.slice('unix://'.length);
    if (isAbsolute(path) && !/\s/.test(path)) return { kind: 'unix', path };
    throw addressError(
      code,
      rule.source,
      text,
      'a unix socket needs an absolute path: unix:///run/cohort/cohortd.sock',
    );
  }
  const match = TCP.exec(text);
  const port = Number(match?.[2]);
  const lowest = rule.allowAnyPort === true ? 0 : 1;
  if (match === null || match[1] === undefined || port < lowest || port > 65_535) {
    throw addressError(
      code,
      rule.source,
      text,
      `write unix:///path or host:port with a port from ${lowest} to 65535`,
    );
  }
  return { kind: 'tcp', host: match[1], port };
}

export function isAddress(text: string, rule: Omit<AddressRule, 'source'> = {}): boolean {
  try {
    parseAddress(text, { ...rule, source: '' });
    return true;
  } catch {
    return false;
  }
}

export function formatAddress(address: Address): string {
  return address.kind === 'unix' ? `unix://${address.path}` : `${address.host}:${address.port}`;
}

function addressError(
  code: AddressRule['code'] & string,
  source: string,
  text: string,
  fix: string,
): CohortError {
  return new CohortError(code, `${source} "${text}" is not an address; ${fix}`, {
    details: { key: source },
  });
}
