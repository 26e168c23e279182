import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { CohortError, ErrorCode } from '../../core/errors.js';
import { criuFlags, type CriuOptions } from '../options.js';

/** How the agent runs runc members: through cohort's own front door, so every round is coordinated. */
export interface RuncTarget {
  /** bin/cohort of this installation. */
  cohort: string;
  /** The real runc, for delete and kill. */
  runc: string;
  root: string;
  env: Readonly<Record<string, string | undefined>>;
}

export async function checkpointRunc(
  target: RuncTarget,
  id: string,
  options: CriuOptions,
  imageDir: string,
): Promise<void> {
  await step(
    target,
    target.cohort,
    ['checkpoint', '--image-path', imageDir, '--work-path', imageDir, ...criuFlags(options), id],
    id,
  );
}

/** Restores a member from an extracted archive, with its bundle; an old container of that id goes first. */
export async function restoreRunc(
  target: RuncTarget,
  id: string,
  archiveDir: string,
  bundle: string,
  options: CriuOptions,
): Promise<void> {
  await removeRunc(target, id);
  await step(
    target,
    target.cohort,
    [
      'restore',
      '--image-path',
      `${archiveDir}/checkpoint`,
      '--work-path',
      archiveDir,
      '--bundle',
      bundle,
      '--detach',
      ...criuFlags(options, true),
      id,
    ],
    id,
  );
}

/** Kills and deletes a container; one already gone is fine. */
export async function removeRunc(target: RuncTarget, id: string): Promise<void> {
  await execa(target.runc, ['--root', target.root, 'delete', '--force', id], {
    env: target.env,
    extendEnv: false,
    reject: false,
  });
}

async function step(
  target: RuncTarget,
  program: string,
  args: string[],
  id: string,
): Promise<void> {
  // No stdio of ours: a restored container keeps runc's, and would hold our pipes open. The
  // reason for a failure is in runc's log (cohort writes its own there too).
  const dir = await mkdtemp(join(tmpdir(), 'cohort-runc-'));
  const log = join(dir, 'log.json');
  try {
    const globals = ['--root', target.root, '--log', log, '--log-format', 'json'];
    const result = await execa(program, [...globals, ...args], {
      env: target.env,
      extendEnv: false,
      reject: false,
      stdio: 'ignore',
    });
    if (result.exitCode !== 0) {
      const why = await lastError(log, result.exitCode);
      throw new CohortError(ErrorCode.Engine, `runc ${args[0]} of ${id} failed: ${why}`, {
        details: { container: id, exitCode: result.exitCode ?? -1 },
      });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The last error line runc (or cohort) wrote to its JSON log. */
async function lastError(log: string, exitCode: number | undefined): Promise<string> {
  const text = await readFile(log, 'utf8').catch(() => '');
  const messages = text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { level?: string; msg?: string })
    .filter((entry) => entry.level === 'error' && entry.msg !== undefined);
  return messages.at(-1)?.msg ?? `exit ${String(exitCode)}`;
}
