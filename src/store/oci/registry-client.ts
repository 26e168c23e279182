import { fetch, type Agent, type Response } from 'undici';
import { isLoopbackHost } from '../location.js';
import { storeError } from '../store-errors.js';
import { parseChallenge, repositoryScope, type Challenge } from './challenge.js';
import type { Credentials } from './credentials.js';
import { describeFetchFailure } from './fetch-failure.js';

export interface RegistryRequest {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** `/v2/…`, or an absolute upload location the registry gave. */
  path: string;
  /** The repository and actions the request needs (for a Bearer token's scope). */
  repository: string;
  actions: readonly string[];
  /** More scopes (a cross-repository mount also pulls from the source). */
  extraScopes?: readonly string[];
  headers?: Record<string, string>;
  /** Always a buffer: a request refused for want of a token is sent again. */
  body?: Buffer;
  /** Statuses that are answers rather than failures (404 for "absent", say). */
  ok: readonly number[];
}

interface Token {
  value: string;
  expires: number;
}

/**
 * An OCI distribution client for one registry: Basic and Bearer (token) auth, verified TLS, and
 * plain HTTP only on loopback with tlsVerify false. Credentials never appear in errors.
 */
export class RegistryClient {
  private base: string | undefined;
  private basic = false;
  private readonly tokens = new Map<string, Token>();

  constructor(
    private readonly host: string,
    private readonly location: string,
    private readonly dispatcher: Agent,
    private readonly tlsVerify: boolean,
    private readonly credentials: Credentials | undefined,
  ) {}

  async send(request: RegistryRequest): Promise<Response> {
    const base = await this.baseUrl();
    const url = new URL(request.path, base).toString();
    const scopes = [
      repositoryScope(request.repository, request.actions),
      ...(request.extraScopes ?? []),
    ];
    let response = await this.fetchOnce(url, request, this.authorization(scopes));
    if (response.status === 401) {
      const challenge = parseChallenge(response.headers.get('www-authenticate'));
      await response.body?.cancel();
      const auth = await this.answerChallenge(challenge, scopes);
      response = await this.fetchOnce(url, request, auth);
    }
    if (response.status === 401 || response.status === 403) {
      const detail = await registryErrorText(response);
      throw storeError.auth(
        this.location,
        `${request.method} ${new URL(url).pathname} answered ${response.status}${detail}`,
        this.credentials === undefined
          ? `log in first (podman login ${this.host}); cohort reads REGISTRY_AUTH_FILE, $XDG_RUNTIME_DIR/containers/auth.json, then ~/.docker/config.json`
          : `check the credentials for ${this.host} in the auth file and that they may ${request.actions.join(' and ')} ${request.repository}`,
      );
    }
    if (!request.ok.includes(response.status)) {
      const detail = await registryErrorText(response);
      throw storeError.io(
        this.location,
        `${request.method} ${new URL(url).pathname} answered ${response.status}${detail}`,
        undefined,
        response.status === 405 && request.method === 'DELETE'
          ? 'the registry refuses deletes: set storage.delete.enabled: true in its config'
          : 'check the registry and try again',
      );
    }
    return response;
  }

  private async fetchOnce(
    url: string,
    request: RegistryRequest,
    auth: string | undefined,
  ): Promise<Response> {
    const headers: Record<string, string> = { ...request.headers };
    if (auth !== undefined) headers.authorization = auth;
    try {
      return await fetch(url, {
        method: request.method,
        headers,
        body: request.body,
        dispatcher: this.dispatcher,
        redirect: 'follow',
      });
    } catch (error) {
      const { why, fix } = describeFetchFailure(error, this.host, this.tlsVerify);
      throw storeError.unreachable(this.location, why, fix, error);
    }
  }

  private authorization(scopes: readonly string[]): string | undefined {
    const token = this.tokens.get(scopes.join(' '));
    if (token !== undefined && token.expires > Date.now()) return `Bearer ${token.value}`;
    if (this.basic && this.credentials !== undefined && 'username' in this.credentials) {
      const { username, password } = this.credentials;
      return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
    }
    return undefined;
  }

  private async answerChallenge(
    challenge: Challenge | undefined,
    scopes: readonly string[],
  ): Promise<string | undefined> {
    if (challenge?.scheme === 'basic') {
      this.basic = true;
      return this.authorization(scopes);
    }
    if (challenge?.scheme !== 'bearer' || challenge.params.realm === undefined) return undefined;
    const wanted = new Set([
      ...scopes,
      ...(challenge.params.scope?.split(' ').filter(Boolean) ?? []),
    ]);
    const token = await this.fetchToken(challenge.params.realm, challenge.params.service, [
      ...wanted,
    ]);
    this.tokens.set(scopes.join(' '), token);
    return `Bearer ${token.value}`;
  }

  /** distribution's token flow: GET realm?service&scope… with Basic credentials (or a refresh token POST). */
  private async fetchToken(
    realm: string,
    service: string | undefined,
    scopes: string[],
  ): Promise<Token> {
    const url = new URL(realm);
    const form = new URLSearchParams();
    if (service !== undefined)
      (this.usesRefresh() ? form : url.searchParams).append('service', service);
    for (const scope of scopes)
      (this.usesRefresh() ? form : url.searchParams).append('scope', scope);
    const headers: Record<string, string> = {};
    let method = 'GET';
    let body: string | undefined;
    if (this.credentials !== undefined && 'identityToken' in this.credentials) {
      method = 'POST';
      form.append('grant_type', 'refresh_token');
      form.append('refresh_token', this.credentials.identityToken);
      form.append('client_id', 'cohort');
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = form.toString();
    } else if (this.credentials !== undefined) {
      const { username, password } = this.credentials;
      headers.authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
    }
    let response: Response;
    try {
      response = await fetch(url, { method, headers, body, dispatcher: this.dispatcher });
    } catch (error) {
      const { why, fix } = describeFetchFailure(error, url.host, this.tlsVerify);
      throw storeError.unreachable(this.location, `token server ${url.host}: ${why}`, fix, error);
    }
    if (response.status === 401 || response.status === 403) {
      await response.body?.cancel();
      throw storeError.auth(
        this.location,
        `the token server ${url.host} answered ${response.status}`,
        `check the credentials for ${this.host} (podman login ${this.host})`,
      );
    }
    const json = (await response.json().catch(() => ({}))) as {
      token?: string;
      access_token?: string;
      expires_in?: number;
    };
    const value = json.token ?? json.access_token;
    if (!response.ok || value === undefined) {
      throw storeError.io(
        this.location,
        `the token server ${url.host} answered ${response.status} without a token`,
      );
    }
    // Renew a little early: a token that expires mid-request costs a refused chunk.
    const lifetime = Math.max(30, json.expires_in ?? 60) * 1000;
    return { value, expires: Date.now() + lifetime - 10_000 };
  }

  private usesRefresh(): boolean {
    return this.credentials !== undefined && 'identityToken' in this.credentials;
  }

  /** https, or — with tlsVerify false on loopback — http when the registry does not speak TLS. */
  private async baseUrl(): Promise<string> {
    if (this.base !== undefined) return this.base;
    if (this.tlsVerify || !isLoopbackHost(this.host)) {
      this.base = `https://${this.host}`;
      return this.base;
    }
    try {
      const probe = await fetch(`https://${this.host}/v2/`, { dispatcher: this.dispatcher });
      await probe.body?.cancel();
      this.base = `https://${this.host}`;
    } catch {
      this.base = `http://${this.host}`;
    }
    return this.base;
  }
}

/** The registry's error codes and messages (distribution's JSON body), as ` (CODE: message)`. */
async function registryErrorText(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { errors?: { code?: string; message?: string }[] };
    const parts = (body.errors ?? []).map((e) => `${e.code ?? '?'}: ${e.message ?? ''}`.trim());
    return parts.length > 0 ? ` (${parts.join('; ')})` : '';
  } catch {
    return '';
  }
}
