import { isAbsolute } from 'node:path';
import { closest, distance } from 'fastest-levenshtein';
import { z } from 'zod';
import { parseAddress, type AddressRule } from './address.js';
import { parseDuration } from './duration.js';
import { CohortError, type ErrorCode } from './errors.js';
import { NAME_PATTERN, NAME_RULE } from './names.js';

/** The field types every cohort schema shares: one rule each. */
export const nameSchema = z
  .string()
  .regex(NAME_PATTERN, { error: `is not a name; use ${NAME_RULE}` });

export const absolutePathSchema = z
  .string()
  .refine(isAbsolute, { error: 'must be an absolute path; write the full path from /' });

/** A Go duration (`1m30s`) or a whole number of milliseconds, as milliseconds. */
export function durationSchema(range?: { min: number; max: number }) {
  return z.union([z.number(), z.string()]).transform((value, context) => {
    try {
      return parseDuration(String(value), '', range);
    } catch (error) {
      context.addIssue({ code: 'custom', message: (error as Error).message.replace(/^: /, '') });
      return z.NEVER;
    }
  });
}

export function addressSchema(rule: Omit<AddressRule, 'source'> = {}) {
  return z.string().superRefine((text, context) => {
    try {
      parseAddress(text, { ...rule, source: '' });
    } catch {
      const port = rule.allowAnyPort === true ? 0 : 1;
      context.addIssue({
        code: 'custom',
        message: `must be unix:///path or host:port with a port from ${port} to 65535 (got "${text}"); fix the address`,
      });
    }
  });
}

/**
 * An object that refuses unknown keys, saying which keys it knows and the nearest one: the
 * usual cause is a typo (`stateDri`), and the fix is the right spelling.
 */
export function strictObject<Shape extends z.core.$ZodLooseShape>(shape: Shape) {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys' ? unknownKey(issue.keys[0] ?? '', known) : undefined,
  });
}

/** Where a value came from, for messages: `config /etc/cohort/config.json`, `manifest g.yaml`. */
export interface SchemaSource {
  label: string;
  code: ErrorCode;
}

/** One problem, at a field path as users write it (`members[1]`, `deadlines.joinTimeout`). */
export interface FieldProblem {
  field: string;
  problem: string;
}

/** Validates `value`, or throws one CohortError naming the first field, the problem and the fix. */
export function parseWith<T>(schema: z.ZodType<T>, value: unknown, source: SchemaSource): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const [first] = describeIssues(result.error, value);
  const field = first?.field ?? '';
  const where = field === '' ? '' : ` "${field}"`;
  throw new CohortError(source.code, `${source.label}:${where} ${first?.problem ?? 'is invalid'}`, {
    details: { field, source: source.label },
  });
}

export function describeIssues(error: z.ZodError, value: unknown): FieldProblem[] {
  return error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return { field: fieldPath([...issue.path, issue.keys[0] ?? '']), problem: issue.message };
    }
    return { field: fieldPath(issue.path), problem: problemOf(issue, valueAt(value, issue.path)) };
  });
}

/** zod's own wording for an issue no cohort schema worded itself. */
const GENERIC = /^(Invalid input|Too small|Too big|Invalid)/;

function problemOf(issue: z.core.$ZodIssue, got: unknown): string {
  if (!GENERIC.test(issue.message)) return issue.message;
  switch (issue.code) {
    case 'invalid_type':
      return got === undefined
        ? `is missing; set it (${issue.expected})`
        : `must be ${article(issue.expected)} (got ${JSON.stringify(got)}); fix its type`;
    case 'too_small':
    case 'too_big':
      return `${JSON.stringify(got)} is out of range: ${issue.message.replace(/^Too (small|big): expected /, 'expected ')}`;
    default:
      return `${issue.message} (got ${JSON.stringify(got)})`;
  }
}

function unknownKey(key: string, known: string[]): string {
  const near = known.length === 0 ? undefined : closest(key, known);
  const hint = near !== undefined && similar(key, near) ? `did you mean "${near}"? ` : '';
  return `is not a known key; ${hint}remove it (known here: ${known.join(', ')})`;
}

/** Close enough to be a typo: at most a third of the longer name differs. */
function similar(a: string, b: string): boolean {
  return distance(a.toLowerCase(), b.toLowerCase()) <= Math.max(a.length, b.length) / 3;
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let node = value;
  for (const step of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[step];
  }
  return node;
}

function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (text, step) =>
      typeof step === 'number'
        ? `${text}[${step}]`
        : text === ''
          ? String(step)
          : `${text}.${String(step)}`,
    '',
  );
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}
