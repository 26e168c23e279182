import { isAbsolute } from 'node:path';
import { CohortError, ErrorCode } from '../core/errors.js';

export type ListenAddress =
  { kind: 'unix'; path: string } | { kind: 'tcp'; host: string; port: number };

/** `unix:///absolute/path`, `host:port` or `[v6]:port`; port 0 picks a free one. */
export function parseListenAddress(text: string, option = '--listen'): ListenAddress {
  if (text.startsWith('unix://')) {
    const path = text.slice('unix://'.length);
    if (!isAbsolute(path)) {
      throw addressError(
        option,
        text,
        'a unix socket needs an absolute path: unix:///run/cohort/cohortd.sock',
      );
    }
    return { kind: 'unix', path };
  }
  const match = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(text);
  const port = Number(match?.[2]);
  if (match === null || match[1] === undefined || port > 65_535) {
    throw addressError(option, text, 'write unix:///path or host:port (e.g. 0.0.0.0:7443)');
  }
  return { kind: 'tcp', host: match[1], port };
}

export function formatListenAddress(address: ListenAddress): string {
  return address.kind === 'unix' ? `unix://${address.path}` : `${address.host}:${address.port}`;
}

function addressError(option: string, text: string, fix: string): CohortError {
  return new CohortError(ErrorCode.Config, `${option} ${text}: not an address; ${fix}`, {
    details: { key: option },
  });
}
