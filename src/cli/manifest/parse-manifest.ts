import { LineCounter, parseDocument, type Document } from 'yaml';
import { parseDuration, DEADLINE_KEYS } from '../../coordinator/deadlines.js';
import { validateManifest } from '../../coordinator/manifest.js';
import type { Deadlines, GroupManifest } from '../../coordinator/types.js';
import { CohortError, ErrorCode, isCohortError } from '../../core/errors.js';
import { lineOf, parseFieldPath } from './locate.js';

const TOP_LEVEL = ['name', 'members', 'size', 'deadlines'];

/** A schema problem at a field; turned into "FILE line N, field F: problem" by parseGroupManifest. */
class FieldProblem extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Parses a group manifest (YAML or JSON: JSON is YAML) and validates it the way cohortd will,
 * reporting the first problem with its line and field.
 */
export function parseGroupManifest(text: string, source: string): GroupManifest {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  const syntax = doc.errors[0];
  if (syntax !== undefined) {
    const line = counter.linePos(syntax.pos[0]).line;
    throw new CohortError(
      ErrorCode.Manifest,
      `manifest ${source} line ${line}: ${firstLine(syntax.message)}`,
      {
        details: { source, line },
      },
    );
  }
  try {
    return validateManifest(readManifest(doc.toJS() as unknown));
  } catch (error) {
    const field = fieldOf(error);
    if (field === undefined) throw error;
    const line = lineOf(doc as Document, counter, parseFieldPath(field));
    const problem = problemOf(error, field);
    const where = field === '' ? `line ${line}` : `line ${line}, field "${field}"`;
    throw new CohortError(ErrorCode.Manifest, `manifest ${source} ${where}: ${problem}`, {
      cause: error,
      details: { source, line, field },
    });
  }
}

function readManifest(raw: unknown): GroupManifest {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new FieldProblem('', 'a group manifest is a mapping with name, and members or size');
  }
  const fields = raw as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (!TOP_LEVEL.includes(key))
      throw new FieldProblem(key, `is not a manifest field (known: ${TOP_LEVEL.join(', ')})`);
  }
  if (fields.name === undefined)
    throw new FieldProblem('name', 'is missing: give the group a name');
  const manifest: GroupManifest = { name: fields.name as string };
  if (fields.members !== undefined) {
    if (!Array.isArray(fields.members))
      throw new FieldProblem('members', 'must be a list of member names');
    manifest.members = fields.members as string[];
  }
  if (fields.size !== undefined) {
    if (typeof fields.size !== 'number')
      throw new FieldProblem('size', `must be a whole number (got ${JSON.stringify(fields.size)})`);
    manifest.size = fields.size;
  }
  if (fields.deadlines !== undefined) manifest.deadlines = readDeadlines(fields.deadlines);
  return manifest;
}

function readDeadlines(raw: unknown): Partial<Deadlines> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new FieldProblem(
      'deadlines',
      `must be a mapping of ${DEADLINE_KEYS.join(', ')} to durations`,
    );
  }
  const deadlines: Partial<Deadlines> = {};
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    const field = `deadlines.${key}`;
    if (!(DEADLINE_KEYS as string[]).includes(key)) {
      throw new FieldProblem(field, `is not a deadline (known: ${DEADLINE_KEYS.join(', ')})`);
    }
    if (typeof value === 'number') deadlines[key as keyof Deadlines] = value;
    else if (typeof value === 'string')
      deadlines[key as keyof Deadlines] = parseDuration(value, field);
    else
      throw new FieldProblem(
        field,
        `must be milliseconds (500) or a duration ("30s") (got ${JSON.stringify(value)})`,
      );
  }
  return deadlines;
}

/** The manifest field an error is about, from our own problems or the coordinator's validators. */
function fieldOf(error: unknown): string | undefined {
  if (error instanceof FieldProblem) return error.field;
  if (!isCohortError(error)) return undefined;
  const field = error.details.field ?? error.details.key;
  if (typeof field !== 'string') return undefined;
  return field.replace(/^manifest\./, '');
}

/** The message without the validator's own "manifest <field>:" or "<field>:" prefix. */
function problemOf(error: unknown, field: string): string {
  const message = error instanceof Error ? error.message : String(error);
  for (const prefix of [`manifest ${field}: `, `manifest.${field}: `, `${field}: `]) {
    if (message.startsWith(prefix)) return message.slice(prefix.length);
  }
  return message;
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}
