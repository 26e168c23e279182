import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CohortError, ErrorCode } from '../../core/errors.js';
import type { ImageManifest } from '../../criu/image-manifest.js';
import { readGroupDeclaration, type GroupDeclaration } from '../../spec/annotations.js';
import { readArchiveFiles } from './archive.js';

/** A member's exported checkpoint archive (DIR/<member>.tar.gz). */
export interface ArchiveMember {
  member: string;
  path: string;
  /** The container name podman will give the restored container. */
  containerName: string;
  declaration: GroupDeclaration;
  manifest?: ImageManifest;
}

/** The archives in `dir` whose container belonged to `group`. */
export async function findArchiveMembers(dir: string, group: string): Promise<ArchiveMember[]> {
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith('.tar.gz'));
  } catch (error) {
    throw new CohortError(
      ErrorCode.Argv,
      `--import ${dir}: cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)}); give the directory checkpoint --export wrote`,
      { cause: error },
    );
  }
  const members: ArchiveMember[] = [];
  for (const name of names.sort()) {
    const path = join(dir, name);
    const files = await readArchiveFiles(path);
    const spec = parseJson<{ annotations?: Record<string, string> }>(files.spec, path, 'spec.dump');
    const config = parseJson<{ name?: string; id?: string }>(files.config, path, 'config.dump');
    const declaration = readGroupDeclaration(spec.annotations ?? {}, config.id ?? '');
    if (declaration?.group !== group) continue;
    const member: ArchiveMember = {
      member: declaration.member,
      path,
      containerName: config.name ?? declaration.member,
      declaration,
    };
    if (files.manifest !== undefined)
      member.manifest = parseJson<ImageManifest>(
        files.manifest,
        path,
        'checkpoint/cohort-manifest.json',
      );
    members.push(member);
  }
  return members;
}

function parseJson<T>(text: string | undefined, archive: string, file: string): T {
  if (text === undefined) {
    throw new CohortError(
      ErrorCode.Argv,
      `${archive} has no ${file}: it is not a podman checkpoint archive`,
    );
  }
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new CohortError(
      ErrorCode.Argv,
      `${archive}: ${file} is not JSON; the archive is damaged`,
      { cause: error },
    );
  }
}
