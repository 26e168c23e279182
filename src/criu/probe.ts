import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { MIN_CRIU, parseCriuVersion, runsHooksUnderRunc } from './version.js';

const run = promisify(execFile);

/** Where a CRIU usually lives; the first usable one wins. */
export const CRIU_CANDIDATES = [
  '/usr/local/sbin/criu',
  '/usr/local/bin/criu',
  '/usr/sbin/criu',
  '/usr/bin/criu',
];

export interface CriuProbe {
  /** The first CRIU that is new enough and passes `criu check`. */
  usable?: { path: string; version: string };
  /** One line per candidate that was not usable, saying why. */
  rejected: string[];
}

/** Finds a CRIU that can run cohort's hook under runc: >= 3.19 and `criu check` passes. */
export async function probeCriu(
  candidates: readonly string[] = CRIU_CANDIDATES,
): Promise<CriuProbe> {
  const rejected: string[] = [];
  for (const path of candidates) {
    let versionText: string;
    try {
      versionText = (await run(path, ['--version'])).stdout;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') rejected.push(`${path}: "criu --version" failed (${String(code)})`);
      continue;
    }
    const version = parseCriuVersion(versionText);
    const problems: string[] = [];
    if (version === undefined || !runsHooksUnderRunc(version)) {
      problems.push(
        `CRIU ${version?.join('.') ?? '?'} is older than ${MIN_CRIU.join('.')}, the first that runs action scripts under runc`,
      );
    }
    const checkFailure = await criuCheckFailure(path);
    if (checkFailure !== undefined)
      problems.push(`"criu check" fails on this kernel: ${checkFailure}`);
    if (version === undefined || problems.length > 0) {
      rejected.push(`${path}: ${problems.join('; ')}`);
      continue;
    }
    return { usable: { path, version: version.join('.') }, rejected };
  }
  if (rejected.length === 0) rejected.push(`no criu found in ${candidates.join(', ')}`);
  return { rejected };
}

/** The first error line of `criu check`, or undefined when it passes. */
async function criuCheckFailure(path: string): Promise<string | undefined> {
  try {
    await run(path, ['check']);
    return undefined;
  } catch (error) {
    const output = `${(error as { stdout?: string }).stdout ?? ''}${(error as { stderr?: string }).stderr ?? ''}`;
    return (
      output.split('\n').find((line) => /error/i.test(line)) ?? 'exit status non-zero'
    ).trim();
  }
}
