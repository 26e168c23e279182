import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../core/atomic-write.js';
import { join } from 'node:path';
import { CohortError, ErrorCode } from '../core/errors.js';

/** Written into the checkpoint's image dir, so the engine's archive carries it to the restore. */
export const MANIFEST_FILE = 'cohort-manifest.json';

export interface ImageManifest {
  format: 1;
  group: string;
  member: string;
  epoch: number;
  members: string[];
  round: string;
  coordinator: string;
  containerId: string;
  cohortVersion: string;
  createdAt: string;
}

export function writeImageManifest(imageDir: string, manifest: ImageManifest): void {
  writeFileAtomic(join(imageDir, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
}

/** The manifest of a coordinated checkpoint, or undefined for a plain one. */
export function readImageManifest(imageDir: string): ImageManifest | undefined {
  const path = join(imageDir, MANIFEST_FILE);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CohortError(ErrorCode.Manifest, `cannot read ${path}: ${String(error)}`, {
      cause: error,
    });
  }
  let manifest: Partial<ImageManifest> = {};
  try {
    manifest = JSON.parse(text) as Partial<ImageManifest>;
  } catch {
    // Reported below with the fix.
  }
  const valid =
    manifest.format === 1 &&
    typeof manifest.group === 'string' &&
    typeof manifest.member === 'string' &&
    Number.isInteger(manifest.epoch) &&
    Array.isArray(manifest.members);
  if (!valid) {
    throw new CohortError(
      ErrorCode.Manifest,
      `${path} is not a cohort manifest this version reads (format 1 with group, member, epoch, members); restore from an image made by cohort, or remove the file for a plain restore`,
    );
  }
  return manifest as ImageManifest;
}
