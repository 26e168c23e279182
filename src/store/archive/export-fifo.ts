import { constants, openSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { Socket } from 'node:net';
import { join } from 'node:path';
import { execa } from 'execa';
import type { ArchiveEntry, ArchiveSource } from '../types.js';

const PREFIX = 'cohort-export-';
const NAME = 'checkpoint.tar';

/** A FIFO an engine exports its checkpoint into (`podman container checkpoint --export PATH --compress none`). */
export interface ExportFifo {
  path: string;
  /** The `tar` archive source reading the FIFO; give it to putMember before or after starting the engine. */
  source: ArchiveSource;
  /** Ends the read with `error` (the engine failed before or while writing). */
  abort(error: Error): void;
  /**
   * Reads and discards what the engine still writes, until stopped or it closes. podman opens
   * the FIFO read-write itself, so it never sees its reader go: once an upload has failed, only
   * a drain keeps it from blocking in write() forever (holding the container's lock).
   */
  drain(): FifoDrain;
  /** Removes the FIFO and its private directory. */
  remove(): Promise<void>;
}

export interface FifoDrain {
  /** Settles when the writer closed the FIFO, or the drain was stopped or idle. */
  ended: Promise<void>;
  stop(): void;
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
  const dir = await mkdtemp(join(parent, PREFIX));
  const path = join(dir, NAME);
  await execa('mkfifo', ['-m', '0600', path]);
  const stream = openReader(path);
  const source: ArchiveSource =
    extra === undefined ? { kind: 'tar', stream } : { kind: 'tar', stream, extra };
  return {
    path,
    source,
    abort: (error) => stream.destroy(error),
    drain: () => drainFifo(path),
    async remove() {
      stream.destroy();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Drains the export FIFOs a previous process left under `parent` (it died mid-upload), so the
 * engines still writing into them finish, then removes them. A FIFO nobody writes into for
 * `idleMs` is left to itself. Returns how many there were.
 */
export async function drainLeftoverExports(parent: string, idleMs = 1_000): Promise<number> {
  const names = await readdir(parent).catch(() => [] as string[]);
  const left = names.filter((name) => name.startsWith(PREFIX));
  await Promise.all(
    left.map(async (name) => {
      await drainFifo(join(parent, name, NAME), idleMs).ended;
      await rm(join(parent, name), { recursive: true, force: true });
    }),
  );
  return left.length;
}

/** Reads a FIFO to its end, discarding; stopped at once by `stop`, or after `idleMs` of silence. */
function drainFifo(path: string, idleMs?: number): FifoDrain {
  let reader: Socket | undefined;
  let timer: NodeJS.Timeout | undefined;
  let finish = (): void => undefined;
  const ended = new Promise<void>((resolve) => (finish = resolve));
  const stop = () => {
    clearTimeout(timer);
    reader?.destroy();
    finish();
  };
  const idle = () => {
    if (idleMs === undefined) return;
    clearTimeout(timer);
    timer = setTimeout(stop, idleMs);
  };
  try {
    reader = openReader(path);
  } catch {
    // Gone already: nothing to drain.
    stop();
    return { ended, stop };
  }
  reader.on('data', idle);
  reader.once('end', stop);
  reader.once('error', stop);
  reader.once('close', stop);
  idle();
  return { ended, stop };
}

function openReader(path: string): Socket {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  return new Socket({ fd, readable: true, writable: false });
}
