import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PACKAGE_ROOT } from '../core/package-paths.js';

const run = promisify(execFile);

/** The one probe, shared with scripts/setup: version, `criu check`, and a real TCP dump. */
const PROBE = join(PACKAGE_ROOT, 'scripts', 'criu-probe');

export interface CriuProbe {
  /** The first CRIU that runs action scripts under runc and really dumps on this kernel. */
  usable?: { path: string; version: string };
  /** One line per candidate that was not usable, saying which check failed. */
  rejected: string[];
}

/** Finds a usable CRIU among `candidates` (default: /usr/local/sbin, /usr/local/bin, /usr/sbin, /usr/bin). */
export async function probeCriu(candidates: readonly string[] = []): Promise<CriuProbe> {
  let stdout = '';
  let stderr = '';
  try {
    ({ stdout, stderr } = await run(PROBE, [...candidates]));
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string };
    stdout = failed.stdout ?? '';
    stderr = failed.stderr ?? String(error);
  }
  const rejected = stderr.split('\n').filter((line) => line !== '');
  const [path, version] = stdout.trim().split(' ');
  if (path === undefined || path === '' || version === undefined) return { rejected };
  return { usable: { path, version }, rejected };
}
