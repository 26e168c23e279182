import type { Readable } from 'node:stream';

const BLOCK = 512;

/**
 * Passes an engine's uncompressed tar through byte for byte up to its end-of-archive blocks,
 * then appends `extra` (a tar stream with its own end), so cohort can add entries to podman's
 * archive without unpacking or repacking it.
 */
export async function* appendToTar(
  source: AsyncIterable<Buffer>,
  extra: Readable | undefined,
): AsyncGenerator<Buffer> {
  let pending: Buffer = Buffer.alloc(0);
  let skip = 0;
  let ended = false;
  for await (const chunk of source) {
    if (ended) continue; // Padding after the end blocks: read to let the writer finish.
    let offset = 0;
    while (offset < chunk.length && !ended) {
      if (skip > 0) {
        const take = Math.min(skip, chunk.length - offset);
        yield chunk.subarray(offset, offset + take);
        skip -= take;
        offset += take;
        continue;
      }
      const take = chunk.subarray(offset, offset + BLOCK - pending.length);
      offset += take.length;
      pending = pending.length === 0 ? take : Buffer.concat([pending, take]);
      if (pending.length < BLOCK) break;
      const header = pending;
      pending = Buffer.alloc(0);
      if (header.every((byte) => byte === 0)) {
        ended = true;
        break;
      }
      checkHeader(header);
      yield header;
      skip = Math.ceil(entrySize(header) / BLOCK) * BLOCK;
    }
  }
  if (!ended) {
    throw new Error(
      skip > 0 || pending.length > 0
        ? 'the tar stream ended in the middle of an entry (the engine stopped writing)'
        : 'the tar stream has no end-of-archive blocks (the engine stopped writing)',
    );
  }
  if (extra === undefined) {
    yield Buffer.alloc(2 * BLOCK);
    return;
  }
  for await (const chunk of extra) yield chunk as Buffer;
}

/** The size field: octal text, or base-256 when the top bit is set (entries of 8 GiB and more). */
function entrySize(header: Buffer): number {
  const field = header.subarray(124, 136);
  if ((field[0] ?? 0) & 0x80) {
    let size = 0;
    for (let i = 1; i < field.length; i += 1) size = size * 256 + (field[i] ?? 0);
    return size;
  }
  const text = field
    .toString('ascii')
    .replace(/[\0 ]+.*$/s, '')
    .trim();
  return text === '' ? 0 : parseInt(text, 8);
}

/** The header checksum (bytes 148-155 counted as spaces): rejects a stream that is not a tar. */
function checkHeader(header: Buffer): void {
  let sum = 0;
  for (let i = 0; i < BLOCK; i += 1) sum += i >= 148 && i < 156 ? 0x20 : (header[i] ?? 0);
  const stored = parseInt(header.subarray(148, 156).toString('ascii').replace(/[\0 ]/g, ''), 8);
  if (stored !== sum)
    throw new Error('the stream is not an uncompressed tar (bad header checksum)');
}
