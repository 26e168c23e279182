import { CohortError, ErrorCode } from '../../core/errors.js';
import { MAX_MEMBERS } from '../manifest.js';
import { checkName } from '../names.js';

export function badField(field: string, problem: string): CohortError {
  return new CohortError(ErrorCode.BadMessage, `${field}: ${problem}`, { details: { field } });
}

/** Bytes that did not decode as the method's message; the handler refuses them as BadMessage. */
export class Malformed {
  constructor(readonly reason: string) {}
}

export function wellFormed<T>(value: T | Malformed, field: string): T {
  if (value instanceof Malformed) throw badField(field, `is not valid protobuf (${value.reason})`);
  return value;
}

/** A whole number in range; 0 (proto3's absent) is only allowed where the range starts at 0. */
export function whole(value: number, field: string, range: { min: number; max: number }): number {
  if (!Number.isSafeInteger(value))
    throw badField(field, `must be a whole number (got ${JSON.stringify(value)})`);
  if (value < range.min || value > range.max)
    throw badField(field, `${value} is out of range; give ${range.min} to ${range.max}`);
  return value;
}

export function epochOf(value: number, field: string): number {
  if (value === 0)
    throw badField(field, 'is missing; every message after the join carries the round epoch');
  return whole(value, field, { min: 1, max: Number.MAX_SAFE_INTEGER });
}

/** A free-text field; empty (proto3's absent) is undefined. */
export function text(value: string, field: string, max: number): string | undefined {
  if (value === '') return undefined;
  if (value.length > max)
    throw badField(field, `is ${value.length} characters long; at most ${max}`);
  return value;
}

/** A list of distinct names; empty (proto3's absent) is undefined. */
export function nameList(values: readonly string[], field: string): string[] | undefined {
  if (values.length === 0) return undefined;
  if (values.length > MAX_MEMBERS)
    throw badField(field, `has ${values.length} names; at most ${MAX_MEMBERS}`);
  const seen = new Set<string>();
  return values.map((item, i) => {
    const checked = checkName(item, `${field}[${i}]`);
    if (seen.has(checked)) throw badField(`${field}[${i}]`, `"${checked}" is listed twice`);
    seen.add(checked);
    return checked;
  });
}

/** An enum value the protocol knows; UNSPECIFIED and numbers from a newer .proto are refused. */
export function known<W, T>(
  value: W,
  field: string,
  map: ReadonlyMap<W, T>,
  nameOf: (value: W) => string,
): T {
  const mapped = map.get(value);
  if (mapped === undefined) {
    const allowed = [...map.keys()].map(nameOf).join(', ');
    throw badField(field, `must be one of ${allowed} (got ${nameOf(value)}, ${String(value)})`);
  }
  return mapped;
}
