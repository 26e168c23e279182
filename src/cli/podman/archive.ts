import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { CohortError, ErrorCode } from '../../core/errors.js';
import { MANIFEST_FILE } from '../../criu/image-manifest.js';

/** The files of a podman checkpoint archive cohortctl reads, as text; absent ones are missing. */
export interface ArchiveFiles {
  spec?: string;
  config?: string;
  manifest?: string;
}

/** podman's layout: spec.dump and config.dump at the top, CRIU's images under checkpoint/. */
const WANTED: Record<string, keyof ArchiveFiles> = {
  'spec.dump': 'spec',
  'config.dump': 'config',
  [`checkpoint/${MANIFEST_FILE}`]: 'manifest',
};

/** Reads the few small files cohortctl needs from a gzip'd checkpoint archive (podman --export). */
export async function readArchiveFiles(path: string): Promise<ArchiveFiles> {
  const found: ArchiveFiles = {};
  const extract = tar.extract();
  extract.on('entry', (header, stream, next) => {
    const key = WANTED[header.name.replace(/^\.\//, '')];
    if (key === undefined || header.type !== 'file') {
      stream.on('end', () => next()).resume();
      return;
    }
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
    stream.on('end', () => {
      found[key] = Buffer.concat(chunks).toString('utf8');
      next();
    });
  });
  try {
    await pipeline(createReadStream(path), createGunzip(), extract);
  } catch (error) {
    throw new CohortError(
      ErrorCode.Argv,
      `${path} is not a gzip'd checkpoint archive (${(error as Error).message}); give the archives cohortctl checkpoint --export wrote`,
      { cause: error },
    );
  }
  return found;
}
