import type { Readable } from 'node:stream';
import { request, type Agent } from 'undici';

/** A registry's answer: status, headers, and the body (read it to the end, or discard it). */
export interface RegistryResponse {
  status: number;
  header(name: string): string | undefined;
  body: Readable & { dump(): Promise<void>; json(): Promise<unknown> };
}

export interface HttpRequest {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  headers?: Record<string, string>;
  body?: Buffer | string;
}

/**
 * One HTTP exchange through undici's request (not fetch: fetch copies every buffer body, a
 * 4 MiB copy per upload chunk). GET and HEAD follow redirects (blobs may live in object
 * storage); undici drops Authorization when a redirect changes origin.
 */
export async function httpSend(
  dispatcher: Agent,
  url: string,
  options: HttpRequest,
): Promise<RegistryResponse> {
  const answer = await request(url, {
    method: options.method,
    headers: options.headers,
    body: options.body,
    dispatcher,
    maxRedirections: options.method === 'GET' || options.method === 'HEAD' ? 5 : 0,
  });
  return {
    status: answer.statusCode,
    header(name) {
      const value = answer.headers[name.toLowerCase()];
      return Array.isArray(value) ? value[0] : value;
    },
    body: answer.body as RegistryResponse['body'],
  };
}

/** Reads and drops a body, so the connection goes back to the pool. */
export async function discard(response: RegistryResponse): Promise<void> {
  if (!response.body.destroyed) await response.body.dump();
}

/** The registry's error codes and messages (distribution's JSON body), as ` (CODE: message)`. */
export async function registryErrorText(response: RegistryResponse): Promise<string> {
  try {
    const body = (await response.body.json()) as { errors?: { code?: string; message?: string }[] };
    const parts = (body.errors ?? []).map((e) => `${e.code ?? '?'}: ${e.message ?? ''}`.trim());
    return parts.length > 0 ? ` (${parts.join('; ')})` : '';
  } catch {
    return '';
  }
}
