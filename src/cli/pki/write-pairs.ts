import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CohortError, ErrorCode } from '../../core/errors.js';
import type { CliIo } from '../context.js';
import { formatTable } from '../table.js';
import type { LeafPlan } from './plan.js';

export interface PairsToWrite {
  verb: string;
  dir: string;
  files: readonly string[];
  force: boolean;
  /** Writes every file into the private dir it is given. */
  issue(work: string): Promise<void>;
}

/**
 * Issues into a private dir beside the output, then moves the files in: a failure leaves
 * nothing half-made, and no existing file is replaced without --force.
 */
export async function writePairs(pairs: PairsToWrite): Promise<void> {
  const existing = pairs.files.filter((file) => existsSync(join(pairs.dir, file)));
  if (existing.length > 0 && !pairs.force) {
    throw new CohortError(
      ErrorCode.Argv,
      `pki ${pairs.verb}: ${pairs.dir} already holds ${existing.join(', ')}; pass --force to replace them`,
    );
  }
  mkdirSync(pairs.dir, { recursive: true, mode: 0o755 });
  const work = mkdtempSync(join(pairs.dir, `.pki-${pairs.verb}-`));
  try {
    await pairs.issue(work);
    for (const file of pairs.files) renameSync(join(work, file), join(pairs.dir, file));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The table both verbs print: what was written, for whom, and for how long. */
export function reportPairs(io: CliIo, dir: string, rows: readonly (readonly string[])[]): void {
  io.out(`wrote to ${dir} (keys are *.key, mode 0600):\n`);
  io.out(formatTable(['CERTIFICATE', 'CN', 'USE', 'LIFETIME'], rows));
}

export function leafRows(leaves: readonly LeafPlan[], days: number): string[][] {
  return leaves.map((leaf) => [`${leaf.stem}.crt`, leaf.commonName, leaf.usage, `${days} days`]);
}
