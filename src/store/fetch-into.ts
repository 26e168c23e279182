import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, rmdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { makeExtractor } from './archive/extract.js';
import { storeError } from './store-errors.js';
import type { FetchTarget, StoredMember } from './types.js';

/**
 * Writes a fetched archive into a `.tar.gz` file or extracts it into a new directory, hashing
 * every byte. Output goes to a temporary sibling renamed into place only when the digest
 * matches: a mismatch (or any failure) leaves nothing behind.
 */
export async function fetchInto(
  input: Readable,
  member: StoredMember,
  into: FetchTarget,
  location: string,
): Promise<void> {
  const target = 'file' in into ? into.file : into.dir;
  const temp = join(
    dirname(target),
    `.${basename(target)}.partial-${process.pid}-${Date.now().toString(36)}`,
  );
  try {
    await mkdir(dirname(target), { recursive: true });
    if ('dir' in into) await checkEmptyOrAbsent(into.dir, location);
    const { sink, done } = await openSink(into, temp);
    const hash = createHash('sha256');
    let size = 0;
    let sinkError: unknown;
    done.catch((error: unknown) => (sinkError ??= error));
    for await (const chunk of input as AsyncIterable<Buffer>) {
      hash.update(chunk);
      size += chunk.length;
      // After a sink failure, keep reading: the digest tells a damaged blob from a local failure.
      const writable = sinkError === undefined && !sink.destroyed;
      if (writable && !sink.write(chunk)) {
        // A sink that fails instead of draining ends the wait too (its error is in `done`).
        await Promise.race([
          once(sink, 'drain').catch(() => undefined),
          done.catch(() => undefined),
        ]);
      }
    }
    if (!sink.destroyed) sink.end();
    await done.catch(() => undefined);
    const digest = `sha256:${hash.digest('hex')}`;
    if (digest !== member.digest)
      throw storeError.digest(location, member.member, member.digest, digest);
    if (sinkError !== undefined)
      throw storeError.io(
        location,
        `writing ${target} failed: ${(sinkError as Error).message}`,
        sinkError,
        `check ${dirname(target)}`,
      );
    if (size !== member.size)
      throw storeError.digest(
        location,
        member.member,
        `${member.digest} (${member.size} bytes)`,
        `${digest} (${size} bytes)`,
      );
    if ('dir' in into) await rmdir(into.dir).catch(() => undefined);
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
}

async function openSink(
  into: FetchTarget,
  temp: string,
): Promise<{ sink: Writable; done: Promise<void> }> {
  if ('file' in into) {
    const file = createWriteStream(temp, { flags: 'wx', mode: 0o600 });
    return { sink: file, done: finished(file) };
  }
  await mkdir(temp, { mode: 0o700 });
  const gunzip = createGunzip();
  return { sink: gunzip, done: pipeline(gunzip, makeExtractor(temp)) };
}

async function checkEmptyOrAbsent(dir: string, location: string): Promise<void> {
  try {
    if ((await readdir(dir)).length === 0) return;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw storeError.io(location, `cannot read ${dir}`, error, 'give a new or empty directory');
  }
  throw storeError.io(
    location,
    `${dir} is not empty`,
    undefined,
    'give a new or empty directory to extract into',
  );
}
