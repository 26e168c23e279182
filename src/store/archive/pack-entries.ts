import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import tar, { type Header, type Pack } from 'tar-stream';
import type { ArchiveEntry } from '../types.js';

type EntryHeader = Partial<Header> & Pick<Header, 'name'>;

/** Adds entries to a tar-stream pack in order; directories recursively, names sorted. */
export async function packEntries(pack: Pack, entries: readonly ArchiveEntry[]): Promise<void> {
  for (const entry of entries) {
    if ('bytes' in entry) {
      const data = typeof entry.bytes === 'string' ? Buffer.from(entry.bytes) : entry.bytes;
      await addBuffer(
        pack,
        { name: entry.name, mode: entry.mode ?? 0o644, mtime: new Date() },
        data,
      );
    } else {
      await packPath(pack, entry.name.replace(/\/+$/, ''), entry.path);
    }
  }
}

async function packPath(pack: Pack, name: string, path: string): Promise<void> {
  const stat = await lstat(path);
  const header: EntryHeader = { name, mode: stat.mode & 0o7777, mtime: stat.mtime, uid: 0, gid: 0 };
  if (stat.isDirectory()) {
    await addBuffer(pack, { ...header, name: `${name}/`, type: 'directory' }, Buffer.alloc(0));
    for (const child of (await readdir(path)).sort()) {
      await packPath(pack, `${name}/${child}`, join(path, child));
    }
  } else if (stat.isSymbolicLink()) {
    await addBuffer(
      pack,
      { ...header, type: 'symlink', linkname: await readlink(path) },
      Buffer.alloc(0),
    );
  } else if (stat.isFile()) {
    await addFile(pack, { ...header, type: 'file', size: stat.size }, path);
  }
  // Sockets, FIFOs and devices have no place in a checkpoint archive: skipped.
}

/** Streams a file into the pack: a CRIU pages image can be as large as the container's memory. */
async function addFile(pack: Pack, header: EntryHeader, path: string): Promise<void> {
  let failed: Error | undefined;
  const done = new Promise<void>((resolve, reject) => {
    const sink = pack.entry(header, (error) => (error ? reject(error) : resolve()));
    (async () => {
      for await (const chunk of createReadStream(path, { highWaterMark: 256 * 1024 })) {
        if (!sink.write(chunk as Buffer))
          await once(sink as unknown as NodeJS.EventEmitter, 'drain');
      }
      sink.end(undefined as never);
    })().catch((error: Error) => {
      failed = error;
      sink.destroy(error);
      reject(error);
    });
  });
  await done;
  if (failed !== undefined) throw failed;
}

function addBuffer(pack: Pack, header: EntryHeader, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    pack.entry({ ...header, size: data.length }, data, (error) =>
      error ? reject(error) : resolve(),
    );
  });
}

/** A tar stream (ended) of the entries: the `entries` source, or what is appended to an engine's tar. */
export function packToStream(entries: readonly ArchiveEntry[]): Readable {
  const pack = tar.pack();
  packEntries(pack, entries).then(
    () => pack.finalize(),
    (error: unknown) => pack.destroy(error as Error),
  );
  return Readable.from(pack as AsyncIterable<Buffer>, { objectMode: false });
}
