import { existsSync } from 'node:fs';
import { probeCriu } from '../../../src/criu/probe.js';
import { RUNTIME_ENTRY } from '../../helpers/runc.js';

/** The real-CRIU tier can run (with this CRIU), or says why not. */
export type CriuTier = { criu: string; version: string; skip?: undefined } | { skip: string };

/**
 * Checks what every real-CRIU test needs: root, a built runtime, the engine (when given), and a
 * CRIU that runs action scripts under runc (probeCriu: >= 3.19 and `criu check` passes).
 * When something is missing, prints why (with each CRIU candidate's rejection) and skips.
 */
export async function realCriuTier(label: string, engineMissing?: string): Promise<CriuTier> {
  const missing =
    (process.getuid?.() === 0 ? undefined : 'real checkpoints need root') ??
    (existsSync(RUNTIME_ENTRY) ? undefined : `${RUNTIME_ENTRY} is not built (npm run build)`) ??
    engineMissing;
  if (missing !== undefined) {
    console.log(`skipping ${label}: ${missing}`);
    return { skip: missing };
  }
  const probe = await probeCriu();
  if (probe.usable === undefined) {
    console.log(`skipping ${label}: no usable CRIU (>= 3.19 and "criu check" passing)`);
    for (const line of probe.rejected) console.log(`  - ${line}`);
    return { skip: 'no usable CRIU' };
  }
  return { criu: probe.usable.path, version: probe.usable.version };
}
