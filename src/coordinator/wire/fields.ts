import { CohortError, ErrorCode } from '../../core/errors.js';
import { MAX_MEMBERS } from '../manifest.js';
import { checkName } from '../names.js';

export const MAX_REASON_CHARS = 2048;
export const MAX_PATH_CHARS = 4096;

export type Raw = Record<string, unknown>;

export function badField(field: string, problem: string): CohortError {
  return new CohortError(ErrorCode.BadMessage, `${field}: ${problem}`, { details: { field } });
}

/** Marks bytes that did not decode as protobuf; no .proto field can have this name. */
export const MALFORMED = '$malformed';

/** The object at `field`, or a BadMessage naming it. */
export function objectAt(value: unknown, field: string): Raw {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badField(field, 'is missing or not a message');
  }
  const malformed = (value as Raw)[MALFORMED];
  if (typeof malformed === 'string') throw badField(field, `is not valid protobuf (${malformed})`);
  return value as Raw;
}

export function optionalString(
  raw: Raw,
  key: string,
  field: string,
  max: number,
): string | undefined {
  const value = raw[key];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw badField(field, `must be a string (got ${typeof value})`);
  if (value.length > max)
    throw badField(field, `is ${value.length} characters long; at most ${max}`);
  return value;
}

export function name(raw: Raw, key: string, field: string): string {
  return checkName(raw[key], field);
}

export function names(raw: Raw, key: string, field: string): string[] | undefined {
  const value = raw[key];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw badField(field, 'must be a list of names');
  if (value.length === 0) return undefined;
  if (value.length > MAX_MEMBERS)
    throw badField(field, `has ${value.length} names; at most ${MAX_MEMBERS}`);
  const seen = new Set<string>();
  return value.map((item, i) => {
    const checked = checkName(item, `${field}[${i}]`);
    if (seen.has(checked)) throw badField(`${field}[${i}]`, `"${checked}" is listed twice`);
    seen.add(checked);
    return checked;
  });
}

export function whole(
  raw: Raw,
  key: string,
  field: string,
  range: { min: number; max: number },
): number | undefined {
  const value = raw[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw badField(field, `must be a whole number (got ${JSON.stringify(value)})`);
  }
  if (value < range.min || value > range.max) {
    throw badField(field, `${value} is out of range; give ${range.min} to ${range.max}`);
  }
  return value;
}

export function epochOf(raw: Raw, field: string): number {
  const epoch = whole(raw, 'epoch', field, { min: 1, max: Number.MAX_SAFE_INTEGER });
  if (epoch === undefined)
    throw badField(field, 'is missing; every message after the join carries the round epoch');
  return epoch;
}

export function bool(raw: Raw, key: string, field: string): boolean {
  const value = raw[key];
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean')
    throw badField(field, `must be true or false (got ${JSON.stringify(value)})`);
  return value;
}

export function enumValue<T extends string>(
  raw: Raw,
  key: string,
  field: string,
  map: Record<string, T>,
): T {
  const value = raw[key];
  const mapped = typeof value === 'string' ? map[value] : undefined;
  if (mapped === undefined) {
    throw badField(
      field,
      `must be one of ${Object.keys(map).join(', ')} (got ${JSON.stringify(value) ?? 'nothing'})`,
    );
  }
  return mapped;
}
