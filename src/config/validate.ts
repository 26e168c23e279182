import { isAbsolute } from 'node:path';
import { CohortError, ErrorCode } from '../core/errors.js';
import type { ClientTlsConfig, PageServerTlsConfig } from './schema.js';

type Raw = Record<string, unknown>;

/** Validates a parsed config file: every message names the key, what it got, and the fix. */
export class ConfigReader {
  constructor(
    private readonly source: string,
    private readonly raw: Raw,
    private readonly prefix = '',
  ) {}

  fail(key: string, problem: string, fix: string): never {
    throw new CohortError(
      ErrorCode.Config,
      `config ${this.source}: "${this.prefix}${key}" ${problem}; ${fix}`,
      { details: { key: this.prefix + key, source: this.source } },
    );
  }

  rejectUnknown(allowed: readonly string[]): void {
    for (const key of Object.keys(this.raw)) {
      if (!allowed.includes(key)) {
        this.fail(key, 'is not a known key', `remove it (known here: ${allowed.join(', ')})`);
      }
    }
  }

  section(key: string): ConfigReader | undefined {
    const value = this.raw[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.fail(key, `must be an object (got ${JSON.stringify(value)})`, 'write it as { ... }');
    }
    return new ConfigReader(this.source, value as Raw, `${this.prefix}${key}.`);
  }

  string(key: string): string | undefined {
    const value = this.raw[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || value === '') {
      this.fail(key, `must be a non-empty string (got ${JSON.stringify(value)})`, 'set a string');
    }
    return value;
  }

  path(key: string): string | undefined {
    const value = this.string(key);
    if (value !== undefined && !isAbsolute(value)) {
      this.fail(key, `must be an absolute path (got "${value}")`, 'write the full path from /');
    }
    return value;
  }

  boolean(key: string): boolean | undefined {
    const value = this.raw[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'boolean') {
      this.fail(key, `must be true or false (got ${JSON.stringify(value)})`, 'set true or false');
    }
    return value;
  }

  milliseconds(key: string, min: number, max: number): number | undefined {
    const value = this.raw[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.fail(
        key,
        `must be a whole number of milliseconds from ${min} to ${max} (got ${JSON.stringify(value)})`,
        'set a number in that range',
      );
    }
    return value;
  }
}

export function validateCoordinatorAddress(reader: ConfigReader, key: string, value: string): void {
  if (value.startsWith('unix://')) {
    if (!isAbsolute(value.slice('unix://'.length))) {
      reader.fail(key, `has a relative socket path ("${value}")`, 'write unix:///absolute/path');
    }
    return;
  }
  if (!/^[A-Za-z0-9.\-_[\]:]+:\d{1,5}$/.test(value)) {
    reader.fail(key, `must be unix:///path or host:port (got "${value}")`, 'fix the address');
  }
}

export function readClientTls(reader: ConfigReader | undefined): ClientTlsConfig | undefined {
  if (reader === undefined) return undefined;
  reader.rejectUnknown(['ca', 'cert', 'key']);
  const ca = reader.path('ca');
  const cert = reader.path('cert');
  const key = reader.path('key');
  if (ca === undefined || cert === undefined || key === undefined) {
    return reader.fail('', 'needs all of ca, cert and key', 'give the three PEM file paths');
  }
  return { ca, cert, key };
}

export function readPageServerTls(
  reader: ConfigReader | undefined,
): PageServerTlsConfig | undefined {
  if (reader === undefined) return undefined;
  reader.rejectUnknown(['cacert', 'cacrl', 'cert', 'key', 'noCnVerify']);
  const tls: PageServerTlsConfig = { noCnVerify: reader.boolean('noCnVerify') ?? false };
  for (const key of ['cacert', 'cacrl', 'cert', 'key'] as const) {
    const value = reader.path(key);
    if (value !== undefined) tls[key] = value;
  }
  if ((tls.cert === undefined) !== (tls.key === undefined)) {
    reader.fail('cert', 'and "key" must be given together', 'set both or neither');
  }
  return tls;
}
