import * as grpc from '@grpc/grpc-js';
import { ErrorCode, type CohortError } from '../../core/errors.js';
import { parseAddressList } from '../../core/address-list.js';
import type { ChannelSetup } from './channel.js';

/**
 * The coordinator's replicas as one client sees them: a channel per address (opened at need),
 * and the current one, which is the leader as far as this client knows. Refusals move it: a
 * follower's names the leader, an unreachable replica gives way to the next address.
 */
export class Replicas {
  private readonly clients = new Map<string, grpc.Client>();
  private readonly order: string[];
  private current: string;
  /** Addresses that just failed to connect, until when: a stale hint must not send us back. */
  private readonly down = new Map<string, number>();

  constructor(
    addresses: readonly string[],
    private readonly setup: (address: string) => ChannelSetup,
  ) {
    this.order = [...addresses];
    this.current = this.order[0] ?? '';
  }

  get address(): string {
    return this.current;
  }

  /** Every address this client knows: the configured ones, then leaders it was sent to. */
  get addresses(): readonly string[] {
    return this.order;
  }

  get several(): boolean {
    return this.order.length > 1;
  }

  client(address = this.current): grpc.Client {
    let client = this.clients.get(address);
    if (client === undefined) {
      const target = address.startsWith('unix://') ? address : `dns:${address}`;
      const { credentials, options } = this.setup(address);
      client = new grpc.Client(target, credentials, options);
      this.clients.set(address, client);
    }
    return client;
  }

  /**
   * Moves on after `address` failed with `error`: to the leader a follower named, else to the
   * next address. True when it was sent somewhere new (a named leader), false when it just moved.
   */
  moveOn(address: string, error: CohortError): boolean {
    if (error.code === ErrorCode.Unreachable) this.down.set(address, Date.now() + DOWN_MS);
    const hint = (error.code === ErrorCode.NotLeader ? leaderHint(error) : []).filter(
      (a) => (this.down.get(a) ?? 0) < Date.now(),
    );
    const target = hint.find((a) => this.order.includes(a)) ?? hint[0];
    if (target !== undefined && target !== address) {
      if (!this.order.includes(target)) this.order.push(target);
      this.current = target;
      return true;
    }
    if (this.current === address) {
      const next = (this.order.indexOf(address) + 1) % this.order.length;
      this.current = this.order[next] ?? address;
    }
    return false;
  }

  /**
   * Resolves true once this address's channel is connected, false at the deadline; with
   * `failFast`, false at once when its last attempt failed (a dead replica refuses connections).
   */
  ready(address: string, deadline: number, failFast = false): Promise<boolean> {
    const client = this.client(address);
    const state = client.getChannel().getConnectivityState(true);
    if (state === grpc.connectivityState.READY) return Promise.resolve(true);
    if (failFast && state === grpc.connectivityState.TRANSIENT_FAILURE)
      return Promise.resolve(false);
    return new Promise((resolve) => client.waitForReady(deadline, (error) => resolve(!error)));
  }

  /** Waits for the first replica to connect and makes it current; false if none did in time. */
  async connect(deadline: number): Promise<boolean> {
    const first = await Promise.any(
      this.order.map(async (address) => {
        if (await this.ready(address, deadline)) return address;
        throw new Error(address);
      }),
    ).catch(() => undefined);
    if (first === undefined) return false;
    this.current = first;
    return true;
  }

  /** Whether a channel failed at the transport level (TLS or socket) as opposed to a timeout. */
  failedToConnect(address: string): boolean {
    return (
      this.clients.get(address)?.getChannel().getConnectivityState(false) ===
      grpc.connectivityState.TRANSIENT_FAILURE
    );
  }

  close(): void {
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }
}

/** How long an address that failed to connect is passed over when a refusal names it. */
const DOWN_MS = 1_000;

/** The leader's addresses a follower's refusal carries (the `+` list form), if any. */
export function leaderHint(error: CohortError): string[] {
  const text = error.details.leader;
  if (typeof text !== 'string' || text === '') return [];
  try {
    return parseAddressList(text, { source: 'leader' });
  } catch {
    return [];
  }
}
