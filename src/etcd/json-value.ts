import { CohortError, ErrorCode } from '../core/errors.js';

export type JsonValue =
  null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export function encodeJson(value: JsonValue): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8');
}

export function decodeJson(bytes: Buffer, key: string): JsonValue {
  try {
    return JSON.parse(bytes.toString('utf8')) as JsonValue;
  } catch (error) {
    throw new CohortError(
      ErrorCode.Store,
      `etcd key '${key}' does not hold JSON: it was written by something other than cohort; remove it or use another etcd.prefix`,
      { cause: error, details: { key } },
    );
  }
}
