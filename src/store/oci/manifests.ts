import { createHash } from 'node:crypto';
import { buffer } from 'node:stream/consumers';
import type { Document } from './documents.js';
import { MEDIA } from './documents.js';
import type { RegistryClient } from './registry-client.js';
import { discard } from './http.js';

const ACCEPT = [MEDIA.manifest, MEDIA.index].join(', ');

/** PUT of a manifest or index under a tag or its digest. */
export async function putManifest(
  client: RegistryClient,
  repository: string,
  reference: string,
  document: Document,
): Promise<void> {
  await client.send({
    method: 'PUT',
    path: `/v2/${repository}/manifests/${reference}`,
    repository,
    actions: ['pull', 'push'],
    headers: { 'content-type': document.mediaType },
    body: document.bytes,
    ok: [201],
  });
}

/** A manifest's bytes and digest (computed from the bytes), or undefined when the registry has none. */
export async function getManifest(
  client: RegistryClient,
  repository: string,
  reference: string,
): Promise<Document | undefined> {
  const response = await client.send({
    method: 'GET',
    path: `/v2/${repository}/manifests/${reference}`,
    repository,
    actions: ['pull'],
    headers: { accept: ACCEPT },
    ok: [200, 404],
    keepBody: true,
  });
  if (response.status === 404) {
    await discard(response);
    return undefined;
  }
  const bytes = await buffer(response.body);
  return {
    bytes,
    mediaType: response.header('content-type') ?? '',
    digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
  };
}

/** DELETE of a manifest by digest: distribution removes its tags with it. */
export async function deleteManifest(
  client: RegistryClient,
  repository: string,
  digest: string,
): Promise<void> {
  await client.send({
    method: 'DELETE',
    path: `/v2/${repository}/manifests/${digest}`,
    repository,
    actions: ['pull', 'push', 'delete'],
    ok: [202, 404],
  });
}

/** Every tag of a repository (following `Link` pages); none when the repository does not exist. */
export async function listTags(client: RegistryClient, repository: string): Promise<string[]> {
  const tags: string[] = [];
  let path: string | undefined = `/v2/${repository}/tags/list?n=1000`;
  while (path !== undefined) {
    const response = await client.send({
      method: 'GET',
      path,
      repository,
      actions: ['pull'],
      ok: [200, 404],
      keepBody: true,
    });
    if (response.status === 404) {
      await discard(response);
      return tags;
    }
    const body = JSON.parse((await buffer(response.body)).toString('utf8')) as {
      tags?: string[] | null;
    };
    tags.push(...(body.tags ?? []));
    const link = /<([^>]+)>;\s*rel="next"/.exec(response.header('link') ?? '');
    path = link?.[1];
  }
  return tags;
}
