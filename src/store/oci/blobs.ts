import type { Readable } from 'node:stream';
import type { RegistryClient } from './registry-client.js';
import { discard } from './http.js';

export const PUSH = ['pull', 'push'] as const;

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
export async function startUpload(client: RegistryClient, repository: string): Promise<string> {
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

export async function finishUpload(
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

export function uploadLocation(location: string | null, repository: string): string {
  if (location === null || location === '')
    throw new Error(`the registry gave no upload location for ${repository}`);
  return location;
}
