import type { Readable } from 'node:stream';
import type { RegistryClient } from './registry-client.js';
import { discard } from './http.js';

const PUSH = ['pull', 'push'] as const;

/** True when the repository has the blob (HEAD): pushes skip what the registry has. */
export async function blobExists(
  client: RegistryClient,
  repository: string,
  digest: string,
): Promise<boolean> {
  const response = await client.send({
    method: 'HEAD',
    path: `/v2/${repository}/blobs/${digest}`,
    repository,
    actions: ['pull'],
    ok: [200, 404],
  });
  return response.status === 200;
}

/** Pushes a small blob in one request (POST, then PUT with the bytes), unless the registry has it. */
export async function pushBytes(
  client: RegistryClient,
  repository: string,
  bytes: Buffer,
  digest: string,
): Promise<void> {
  if (await blobExists(client, repository, digest)) return;
  const location = await startUpload(client, repository);
  await finishUpload(client, repository, location, digest, bytes);
}

/** Opens an upload session; returns its location. */
async function startUpload(client: RegistryClient, repository: string): Promise<string> {
  const response = await client.send({
    method: 'POST',
    path: `/v2/${repository}/blobs/uploads/`,
    repository,
    actions: PUSH,
    headers: { 'content-length': '0' },
    ok: [202],
  });
  return uploadLocation(response.header('location') ?? null, repository);
}

async function finishUpload(
  client: RegistryClient,
  repository: string,
  location: string,
  digest: string,
  body: Buffer,
): Promise<void> {
  const url = new URL(location, 'http://placeholder');
  url.searchParams.set('digest', digest);
  const path = location.startsWith('/') ? `${url.pathname}${url.search}` : url.toString();
  await client.send({
    method: 'PUT',
    path,
    repository,
    actions: PUSH,
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(body.length) },
    body,
    ok: [201],
  });
}

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

/** Mounts a blob from another repository of the same registry (no data moves); false when refused. */
export async function mountBlob(
  client: RegistryClient,
  repository: string,
  digest: string,
  from: string,
): Promise<boolean> {
  const response = await client.send({
    method: 'POST',
    path: `/v2/${repository}/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from)}`,
    repository,
    actions: PUSH,
    extraScopes: [`repository:${from}:pull`],
    headers: { 'content-length': '0' },
    ok: [201, 202],
  });
  if (response.status === 201) return true;
  // 202: the registry opened an upload instead; close it unused.
  const location = uploadLocation(response.header('location') ?? null, repository);
  await client.send({
    method: 'DELETE',
    path: location,
    repository,
    actions: PUSH,
    ok: [204, 404],
  });
  return false;
}

/** GET of a blob, as a stream (the caller verifies its digest). */
export async function getBlob(
  client: RegistryClient,
  repository: string,
  digest: string,
): Promise<Readable | undefined> {
  const response = await client.send({
    method: 'GET',
    path: `/v2/${repository}/blobs/${digest}`,
    repository,
    actions: ['pull'],
    ok: [200, 404],
    keepBody: true,
  });
  if (response.status === 404) {
    await discard(response);
    return undefined;
  }
  return response.body;
}

function uploadLocation(location: string | null, repository: string): string {
  if (location === null || location === '')
    throw new Error(`the registry gave no upload location for ${repository}`);
  return location;
}
