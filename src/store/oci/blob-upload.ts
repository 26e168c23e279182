import type { Readable } from 'node:stream';
import { finishUpload, PUSH, startUpload, uploadLocation } from './blobs.js';
import type { RegistryClient } from './registry-client.js';

/**
 * Streams a blob whose digest is known only at its end: chunks of `chunkSize` go up as PATCHes
 * with Content-Range while the next chunk fills (two buffers: memory is bounded), then a PUT
 * with the digest closes the upload. A blob smaller than one chunk goes up in the PUT alone.
 */
export async function pushStream(
  client: RegistryClient,
  repository: string,
  stream: Readable,
  chunkSize: number,
  digestAtEnd: () => string,
): Promise<void> {
  const upload = { location: await startUpload(client, repository) };
  try {
    await sendChunks(client, repository, upload, stream, chunkSize, digestAtEnd);
  } catch (error) {
    // A failed source or registry leaves no upload session behind (best effort).
    await client
      .send({ method: 'DELETE', path: upload.location, repository, actions: PUSH, ok: [204, 404] })
      .catch(() => undefined);
    throw error;
  }
}

async function sendChunks(
  client: RegistryClient,
  repository: string,
  upload: { location: string },
  stream: Readable,
  chunkSize: number,
  digestAtEnd: () => string,
): Promise<void> {
  const buffers = [Buffer.allocUnsafe(chunkSize), Buffer.allocUnsafe(chunkSize)];
  let current = 0;
  let fill = 0;
  let offset = 0;
  let inflight: Promise<void> | undefined;
  const sendChunk = async (chunk: Buffer): Promise<void> => {
    const start = offset;
    offset += chunk.length;
    const response = await client.send({
      method: 'PATCH',
      path: upload.location,
      repository,
      actions: PUSH,
      headers: {
        'content-type': 'application/octet-stream',
        'content-range': `${start}-${start + chunk.length - 1}`,
        'content-length': String(chunk.length),
      },
      body: chunk,
      ok: [202],
    });
    upload.location = uploadLocation(response.header('location') ?? null, repository);
  };
  for await (const data of stream as AsyncIterable<Buffer>) {
    let position = 0;
    while (position < data.length) {
      const buffer = buffers[current] as Buffer;
      const take = Math.min(chunkSize - fill, data.length - position);
      data.copy(buffer, fill, position, position + take);
      fill += take;
      position += take;
      if (fill === chunkSize) {
        await inflight;
        inflight = sendChunk(buffer);
        inflight.catch(() => undefined); // Awaited before the next chunk or the PUT.
        current = 1 - current;
        fill = 0;
      }
    }
  }
  await inflight;
  const last = (buffers[current] as Buffer).subarray(0, fill);
  // Nothing sent yet: the whole blob goes in the PUT (a monolithic upload).
  if (offset > 0 && last.length > 0) await sendChunk(last);
  await finishUpload(
    client,
    repository,
    upload.location,
    digestAtEnd(),
    offset > 0 ? Buffer.alloc(0) : last,
  );
}
