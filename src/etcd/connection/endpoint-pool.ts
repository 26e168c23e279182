import * as grpc from '@grpc/grpc-js';
import type { Endpoint } from '../endpoints.js';
import type { EtcdSettings } from '../options.js';
import { etcdServices } from '../wire/proto.js';
import type { KVClient, LeaseClient, WatchClient } from '../wire/types.js';
import { classifyFailure, type Failure } from './classify-failure.js';
import { failureError, grpcError } from './failure-error.js';
import { sleep } from './call.js';
import { endpointChannel } from './credentials.js';

/** The three services of one etcd member over one channel. */
export interface EndpointClients {
  endpoint: Endpoint;
  kv: KVClient;
  lease: LeaseClient;
  watch: WatchClient;
}

const CHANNEL_OPTIONS: grpc.ChannelOptions = {
  // A restarted member is found within a second, not after grpc's default backoff of up to 120 s.
  'grpc.initial_reconnect_backoff_ms': 100,
  'grpc.max_reconnect_backoff_ms': 1000,
  // etcd's server refuses pings more often than every 5 s (--grpc-keepalive-min-time).
  'grpc.keepalive_time_ms': 10_000,
  'grpc.keepalive_timeout_ms': 5_000,
  'grpc.max_receive_message_length': 16 * 1024 * 1024,
  // Each client its own connections: closing one never disturbs another's streams.
  'grpc.use_local_subchannel_pool': 1,
};

/**
 * One lazily opened channel per etcd member, one of them preferred. A request that cannot reach
 * the preferred member, or finds it without a raft leader, moves on to the next, until the
 * request timeout: the bound every caller can count on.
 */
export class EndpointPool {
  private preferred = 0;
  private readonly clients: (EndpointClients | undefined)[];
  private closed = false;
  private readonly closeHooks = new Set<() => void>();

  constructor(readonly settings: EtcdSettings) {
    this.clients = settings.endpoints.map(() => undefined);
  }

  current(): EndpointClients {
    return this.at(this.preferred);
  }

  /** Moves past `failed` if it is still the preferred member (others may have moved already). */
  advance(failed: EndpointClients): void {
    if (this.clients[this.preferred] === failed) {
      this.preferred = (this.preferred + 1) % this.clients.length;
    }
  }

  /** Asks etcd to refuse at once, rather than queue, when the member has no raft leader. */
  metadata(): grpc.Metadata {
    const metadata = new grpc.Metadata();
    metadata.set('hasleader', 'true');
    return metadata;
  }

  /**
   * Runs `invoke` on the preferred member, then the others in turn, until it succeeds, fails for
   * a reason another member would not change, or the request timeout passes. A write whose
   * attempt timed out may have landed and is sent again: writes are puts and deletes of whole
   * values, so landing twice leaves the same state (at a later revision).
   */
  async request<T>(
    what: string,
    invoke: (
      clients: EndpointClients,
      metadata: grpc.Metadata,
      options: grpc.CallOptions,
    ) => Promise<T>,
  ): Promise<T> {
    const deadline = Date.now() + this.settings.requestTimeoutMs;
    const failures: Failure[] = [];
    const refusedTls = new Set<string>();
    for (let attempt = 0; ; attempt += 1) {
      if (this.closed) throw grpcError(what, 'the etcd client is closed', undefined);
      const clients = this.current();
      // A member that lost its raft leader holds a proposal until etcd's own 7 s timeout: give
      // each attempt a third of the budget, so another member (and a new raft leader) gets a turn.
      const attemptEnd = Math.min(
        deadline,
        Date.now() + Math.max(250, this.settings.requestTimeoutMs / 3),
      );
      try {
        return await invoke(clients, this.metadata(), { deadline: attemptEnd });
      } catch (error) {
        const failure = classifyFailure(error, clients.endpoint);
        if (failure.kind === 'other')
          throw grpcError(what, failure.reason, error, clients.endpoint);
        failures.push(failure);
        this.advance(clients);
        if (failure.kind === 'tls') refusedTls.add(clients.endpoint.url);
        // A handshake every member refused will not succeed by waiting.
        const allRefused = refusedTls.size === this.clients.length;
        if (allRefused || Date.now() >= deadline) throw failureError(what, failures, this.settings);
        // After a full round of members, wait a little: a member may be restarting.
        if ((attempt + 1) % this.clients.length === 0) {
          await sleep(Math.min(200, Math.max(0, deadline - Date.now())));
          if (Date.now() >= deadline) throw failureError(what, failures, this.settings);
        }
      }
    }
  }

  /** Runs `hook` when the pool closes (streams and leases stop); returns the undo. */
  onClose(hook: () => void): () => void {
    this.closeHooks.add(hook);
    return () => this.closeHooks.delete(hook);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const hook of [...this.closeHooks]) hook();
    this.closeHooks.clear();
    for (const clients of this.clients) clients?.kv.close();
    this.clients.fill(undefined);
  }

  private at(index: number): EndpointClients {
    if (this.closed) throw grpcError('reach etcd', 'the etcd client is closed', undefined);
    const existing = this.clients[index];
    if (existing !== undefined) return existing;
    const endpoint = this.settings.endpoints[index];
    if (endpoint === undefined) throw new Error(`no etcd endpoint ${index}`);
    const services = etcdServices();
    const { credentials, options } = endpointChannel(endpoint, this.settings.tls, CHANNEL_OPTIONS);
    const kv = new services.KV(endpoint.address, credentials, options);
    const shared = { channelOverride: grpc.getClientChannel(kv) as grpc.Channel };
    const made: EndpointClients = {
      endpoint,
      kv,
      lease: new services.Lease(endpoint.address, credentials, shared),
      watch: new services.Watch(endpoint.address, credentials, shared),
    };
    this.clients[index] = made;
    return made;
  }
}
