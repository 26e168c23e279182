import { LineCounter, parseDocument, type Document } from 'yaml';
import { manifestFromFile } from '../../coordinator/manifest.js';
import type { GroupManifest } from '../../coordinator/types.js';
import { CohortError, ErrorCode, isCohortError } from '../../core/errors.js';
import { lineOf, parseFieldPath } from './locate.js';

/**
 * Parses a group manifest (YAML or JSON: JSON is YAML) against the one manifest schema,
 * reporting the first problem with its line and field.
 */
export function parseGroupManifest(text: string, source: string): GroupManifest {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  const syntax = doc.errors[0];
  if (syntax !== undefined) {
    const line = counter.linePos(syntax.pos[0]).line;
    throw manifestError(source, `line ${line}: ${firstLine(syntax.message)}`, { line });
  }
  const raw = doc.toJS() as unknown;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw manifestError(
      source,
      'line 1: a group manifest is a mapping with name, and members or size',
      { line: 1 },
    );
  }
  try {
    return manifestFromFile(raw, `manifest ${source}`);
  } catch (error) {
    if (!isCohortError(error, ErrorCode.Manifest) || typeof error.details.field !== 'string')
      throw error;
    const field = error.details.field;
    const line = lineOf(doc as Document, counter, parseFieldPath(field));
    const problem = error.message
      .slice(error.message.indexOf(':') + 1)
      .replace(/^ "[^"]*"/, '')
      .trim();
    const where = field === '' ? `line ${line}` : `line ${line}, field "${field}"`;
    throw manifestError(source, `${where}: ${problem}`, { line, field }, error);
  }
}

function manifestError(
  source: string,
  text: string,
  details: Record<string, string | number>,
  cause?: unknown,
): CohortError {
  return new CohortError(ErrorCode.Manifest, `manifest ${source} ${text}`, {
    cause,
    details: { source, ...details },
  });
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}
