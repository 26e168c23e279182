import { createWriteStream } from 'node:fs';
import { mkdir, symlink, utimes } from 'node:fs/promises';
import { dirname, join, normalize, sep } from 'node:path';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import tar, { type Header } from 'tar-stream';

/** What tar-stream hands each entry: an async-iterable readable of its bytes. */
interface EntryStream extends AsyncIterable<unknown> {
  resume(): unknown;
}

/**
 * A writable that unpacks a tar stream into `root` (which must exist and be empty). Only files,
 * directories and symlinks; a name that would leave `root` (absolute, `..`, or through a
 * symlink) is an error.
 */
export function makeExtractor(root: string): Writable {
  const extract = tar.extract();
  const links = new Set<string>();
  extract.on('entry', (header, stream, next) => {
    // A failed entry fails the extract (and with it the pipeline); the entry stream is
    // destroyed with the same error, which must not surface a second time.
    stream.on('error', () => undefined);
    writeEntry(root, header, stream, links).then(
      () => next(),
      (error: unknown) => next(error as Error),
    );
  });
  return extract as unknown as Writable;
}

async function writeEntry(
  root: string,
  header: Header,
  stream: EntryStream,
  links: Set<string>,
): Promise<void> {
  const name = normalize(header.name).replace(/\/+$/, '');
  if (name === '.' || name === '') {
    stream.resume();
    return;
  }
  if (name.startsWith('/') || name === '..' || name.startsWith(`..${sep}`)) {
    throw new Error(
      `archive entry ${JSON.stringify(header.name)} points outside the target directory`,
    );
  }
  // A symlink extracted earlier must not become a path to write through.
  for (const link of links) {
    if (name.startsWith(`${link}/`)) {
      throw new Error(
        `archive entry ${JSON.stringify(header.name)} goes through the symlink ${link}`,
      );
    }
  }
  const path = join(root, name);
  const mode = (header.mode ?? 0o644) & 0o777;
  switch (header.type) {
    case 'directory':
      await mkdir(path, { recursive: true, mode: mode | 0o700 });
      stream.resume();
      return;
    case 'file':
    case 'contiguous-file':
      await mkdir(dirname(path), { recursive: true });
      await copyTo(stream, path, mode);
      if (header.mtime !== undefined) await utimes(path, header.mtime, header.mtime);
      return;
    case 'symlink':
      await mkdir(dirname(path), { recursive: true });
      await symlink(header.linkname ?? '', path);
      links.add(name);
      stream.resume();
      return;
    default:
      // Hard links, devices and FIFOs do not occur in checkpoint archives: skipped.
      stream.resume();
  }
}

async function copyTo(stream: EntryStream, path: string, mode: number): Promise<void> {
  const file = createWriteStream(path, { mode });
  for await (const chunk of stream) {
    if (!file.write(chunk as Buffer)) await once(file, 'drain');
  }
  file.end();
  await finished(file);
}
