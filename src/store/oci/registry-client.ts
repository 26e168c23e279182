import type { Agent } from 'undici';
import { isLoopbackHost } from '../location.js';
import { storeError } from '../store-errors.js';
import { parseChallenge, repositoryScope, type Challenge } from './challenge.js';
import type { Credentials } from './credentials.js';
import { describeFetchFailure } from './fetch-failure.js';
import {
  discard,
  httpSend,
  registryErrorText,
  type HttpRequest,
  type RegistryResponse,
} from './http.js';
import { fetchToken, type Token } from './token.js';

export type { RegistryResponse } from './http.js';

export interface RegistryRequest extends HttpRequest {
  /** `/v2/…`, or an absolute upload location the registry gave. */
  path: string;
  /** The repository and actions the request needs (for a Bearer token's scope). */
  repository: string;
  actions: readonly string[];
  /** More scopes (a cross-repository mount also pulls from the source). */
  extraScopes?: readonly string[];
  /** Always a buffer: a request refused for want of a token is sent again. */
  body?: Buffer;
  /** Statuses that are answers rather than failures (404 for "absent", say). */
  ok: readonly number[];
  /** Keep the response body for the caller (who must read it); otherwise it is discarded. */
  keepBody?: boolean;
}

/**
 * An OCI distribution client for one registry: Basic and Bearer (token) auth, verified TLS, and
 * plain HTTP only on loopback with tlsVerify false. Credentials never appear in errors.
 */
export class RegistryClient {
  private base: Promise<string> | undefined;
  private basic = false;
  private readonly tokens = new Map<string, Token>();

  constructor(
    private readonly host: string,
    private readonly location: string,
    private readonly dispatcher: Agent,
    private readonly tlsVerify: boolean,
    private readonly credentials: Credentials | undefined,
  ) {}

  async send(request: RegistryRequest): Promise<RegistryResponse> {
    const url = new URL(request.path, await this.baseUrl()).toString();
    const scopes = [
      repositoryScope(request.repository, request.actions),
      ...(request.extraScopes ?? []),
    ];
    let response = await this.sendOnce(url, request, this.authorization(scopes));
    if (response.status === 401) {
      const challenge = parseChallenge(response.header('www-authenticate') ?? null);
      await discard(response);
      response = await this.sendOnce(url, request, await this.answerChallenge(challenge, scopes));
    }
    const what = `${request.method} ${new URL(url).pathname} answered ${response.status}`;
    if (response.status === 401 || response.status === 403) {
      throw storeError.auth(
        this.location,
        `${what}${await registryErrorText(response)}`,
        this.credentials === undefined
          ? `log in first (podman login ${this.host}); cohort reads REGISTRY_AUTH_FILE, $XDG_RUNTIME_DIR/containers/auth.json, then ~/.docker/config.json`
          : `check the credentials for ${this.host} in the auth file and that they may ${request.actions.join(' and ')} ${request.repository}`,
      );
    }
    if (!request.ok.includes(response.status)) {
      throw storeError.io(
        this.location,
        `${what}${await registryErrorText(response)}`,
        undefined,
        response.status === 405 && request.method === 'DELETE'
          ? 'the registry refuses deletes: set storage.delete.enabled: true in its config'
          : 'check the registry and try again',
      );
    }
    if (request.keepBody !== true) await discard(response);
    return response;
  }

  private async sendOnce(
    url: string,
    request: RegistryRequest,
    auth: string | undefined,
  ): Promise<RegistryResponse> {
    const headers: Record<string, string> = { ...request.headers };
    if (auth !== undefined) headers.authorization = auth;
    try {
      return await httpSend(this.dispatcher, url, {
        method: request.method,
        headers,
        ...(request.body === undefined ? {} : { body: request.body }),
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
    const realm = challenge?.params.realm;
    if (challenge?.scheme !== 'bearer' || realm === undefined) return undefined;
    const wanted = new Set([
      ...scopes,
      ...(challenge.params.scope?.split(' ').filter(Boolean) ?? []),
    ]);
    const token = await fetchToken(
      this.dispatcher,
      { realm, service: challenge.params.service, scopes: [...wanted] },
      this.credentials,
      { location: this.location, host: this.host, tlsVerify: this.tlsVerify },
    );
    this.tokens.set(scopes.join(' '), token);
    return `Bearer ${token.value}`;
  }

  /** https, or — with tlsVerify false on loopback — http when the registry does not speak TLS. */
  private baseUrl(): Promise<string> {
    this.base ??= this.probeBase();
    return this.base;
  }

  private async probeBase(): Promise<string> {
    const https = `https://${this.host}`;
    if (this.tlsVerify || !isLoopbackHost(this.host)) return https;
    try {
      await discard(await httpSend(this.dispatcher, `${https}/v2/`, { method: 'GET' }));
      return https;
    } catch {
      return `http://${this.host}`;
    }
  }
}
