import { constants, openSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { Socket } from 'node:net';
import { join } from 'node:path';
import { execa } from 'execa';
import type { ArchiveEntry, ArchiveSource } from '../types.js';

/** A FIFO an engine exports its checkpoint into (`podman container checkpoint --export PATH --compress none`). */
export interface ExportFifo {
  path: string;
  /** The `tar` archive source reading the FIFO; give it to putMember before or after starting the engine. */
  source: ArchiveSource;
  /** Ends the read with `error` (the engine failed before or while writing). */
  abort(error: Error): void;
  /** Removes the FIFO and its private directory. */
  remove(): Promise<void>;
}

/**
 * Makes a FIFO in a new 0700 directory under `parent`. The read end is opened non-blocking and
 * read through the event loop: Linux reports no hang-up before a writer has opened the FIFO, so
 * the read waits for the engine without holding a libuv thread (zlib needs those).
 */
export async function makeExportFifo(
  parent: string,
  extra?: readonly ArchiveEntry[],
): Promise<ExportFifo> {
  const dir = await mkdtemp(join(parent, 'cohort-export-'));
  const path = join(dir, 'checkpoint.tar');
  await execa('mkfifo', ['-m', '0600', path]);
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  const stream = new Socket({ fd, readable: true, writable: false });
  const source: ArchiveSource =
    extra === undefined ? { kind: 'tar', stream } : { kind: 'tar', stream, extra };
  return {
    path,
    source,
    abort: (error) => stream.destroy(error),
    async remove() {
      stream.destroy();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
