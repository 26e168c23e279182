import type { Agent } from 'undici';
import { storeError } from '../store-errors.js';
import type { Credentials } from './credentials.js';
import { describeFetchFailure } from './fetch-failure.js';
import { httpSend } from './http.js';

export interface Token {
  value: string;
  expires: number;
}

/**
 * distribution's token flow: GET realm?service=…&scope=… with Basic credentials (anonymous
 * without), or a refresh-token POST for an identity token from the auth file.
 */
export async function fetchToken(
  dispatcher: Agent,
  challenge: { realm: string; service: string | undefined; scopes: readonly string[] },
  credentials: Credentials | undefined,
  store: { location: string; host: string; tlsVerify: boolean },
): Promise<Token> {
  const url = new URL(challenge.realm);
  const headers: Record<string, string> = {};
  let body: string | undefined;
  if (credentials !== undefined && 'identityToken' in credentials) {
    const form = new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: credentials.identityToken,
      client_id: 'cohort',
    });
    if (challenge.service !== undefined) form.append('service', challenge.service);
    for (const scope of challenge.scopes) form.append('scope', scope);
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = form.toString();
  } else {
    if (challenge.service !== undefined) url.searchParams.append('service', challenge.service);
    for (const scope of challenge.scopes) url.searchParams.append('scope', scope);
    if (credentials !== undefined) {
      headers.authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
    }
  }
  let status: number;
  let json: { token?: string; access_token?: string; expires_in?: number };
  try {
    const response = await httpSend(dispatcher, url.toString(), {
      method: body === undefined ? 'GET' : 'POST',
      headers,
      body,
    });
    status = response.status;
    json = (await response.body.json().catch(() => ({}))) as typeof json;
  } catch (error) {
    const { why, fix } = describeFetchFailure(error, url.host, store.tlsVerify);
    throw storeError.unreachable(store.location, `token server ${url.host}: ${why}`, fix, error);
  }
  if (status === 401 || status === 403) {
    throw storeError.auth(
      store.location,
      `the token server ${url.host} answered ${status}`,
      `check the credentials for ${store.host} (podman login ${store.host})`,
    );
  }
  const value = json.token ?? json.access_token;
  if (status !== 200 || value === undefined) {
    throw storeError.io(
      store.location,
      `the token server ${url.host} answered ${status} without a token`,
    );
  }
  // Renew a little early: a token that expires mid-request costs a refused chunk.
  const lifetime = Math.max(30, json.expires_in ?? 60) * 1000;
  return { value, expires: Date.now() + lifetime - 10_000 };
}
