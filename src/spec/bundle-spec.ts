import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../core/atomic-write.js';
import { CohortError, ErrorCode } from '../core/errors.js';

/** config.json as read: the object (unknown fields kept) and the file mode to keep on rewrite. */
export interface BundleSpec {
  path: string;
  mode: number;
  spec: Record<string, unknown>;
}

export function specPath(bundle: string): string {
  return join(bundle, 'config.json');
}

export function readBundleSpec(bundle: string): BundleSpec {
  const path = specPath(bundle);
  let text: string;
  let mode: number;
  try {
    mode = statSync(path).mode & 0o7777;
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new CohortError(
      ErrorCode.Bundle,
      `bundle ${bundle}: cannot read config.json (${code}); pass --bundle with the directory that holds the OCI config.json`,
      { cause: error, details: { bundle } },
    );
  }
  let spec: unknown;
  try {
    spec = JSON.parse(text);
  } catch (error) {
    throw new CohortError(
      ErrorCode.Spec,
      `bundle ${bundle}: config.json is not valid JSON (${(error as Error).message}); fix it or regenerate it with "runc spec"`,
      { cause: error, details: { bundle } },
    );
  }
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    throw new CohortError(
      ErrorCode.Spec,
      `bundle ${bundle}: config.json must hold a JSON object; regenerate it with "runc spec"`,
    );
  }
  return { path, mode, spec: spec as Record<string, unknown> };
}

export function readAnnotations(spec: Record<string, unknown>): Record<string, string> {
  const annotations = spec.annotations;
  if (annotations === undefined || annotations === null) return {};
  if (typeof annotations !== 'object' || Array.isArray(annotations)) {
    throw new CohortError(
      ErrorCode.Spec,
      'config.json: "annotations" must be an object of strings; fix the bundle',
    );
  }
  return annotations as Record<string, string>;
}

/** Rewrites config.json atomically: a crash leaves the old file or the new one, never half of one. */
export function writeBundleSpec(bundleSpec: BundleSpec): void {
  try {
    writeFileAtomic(bundleSpec.path, JSON.stringify(bundleSpec.spec), bundleSpec.mode);
  } catch (error) {
    throw new CohortError(ErrorCode.Bundle, `cannot write ${bundleSpec.path}: ${String(error)}`, {
      cause: error,
    });
  }
}
