import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CohortError, ErrorCode } from '../../core/errors.js';
import { readGroupDeclaration, ANNOTATION } from '../../spec/annotations.js';
import type { LocalMember } from '../engine.js';

const run = promisify(execFile);

interface ListEntry {
  id: string;
  status: string;
  bundle: string;
  annotations?: Record<string, string>;
}

/** Every runc container under `roots` annotated io.cohort.group (`runc list` shows annotations). */
export async function listRuncMembers(
  runc: string,
  roots: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): Promise<LocalMember[]> {
  const members: LocalMember[] = [];
  for (const root of roots) {
    let stdout: string;
    try {
      ({ stdout } = await run(runc, ['--root', root, 'list', '--format', 'json'], { env }));
    } catch (error) {
      throw new CohortError(
        ErrorCode.Engine,
        `runc --root ${root} list failed (${(error as Error).message.split('\n')[0] ?? ''}); check the agent's runc roots`,
        { cause: error, details: { root } },
      );
    }
    for (const entry of (JSON.parse(stdout || 'null') as ListEntry[] | null) ?? []) {
      const annotations = entry.annotations ?? {};
      if (annotations[ANNOTATION.group] === undefined) continue;
      let declaration;
      try {
        declaration = readGroupDeclaration(annotations, entry.id);
      } catch {
        continue;
      }
      if (declaration === undefined) continue;
      members.push({
        engine: 'runc',
        group: declaration.group,
        member: declaration.member,
        containerId: entry.id,
        label: entry.id,
        // runc keeps no exit status: a stopped container's is unknown, so it counts as died.
        state:
          entry.status === 'running' ? 'running' : entry.status === 'paused' ? 'paused' : 'stopped',
        declaration,
        runcRoot: root,
        bundle: entry.bundle,
      });
    }
  }
  return members.sort((a, b) => a.member.localeCompare(b.member));
}
