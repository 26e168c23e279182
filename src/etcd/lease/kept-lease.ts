import type * as grpc from '@grpc/grpc-js';
import { CohortError, ErrorCode } from '../../core/errors.js';
import { call } from '../connection/call.js';
import type { EndpointClients, EndpointPool } from '../connection/endpoint-pool.js';
import { grpcError } from '../connection/failure-error.js';
import { toNumber } from '../wire/numbers.js';
import type {
  LeaseGrantResponse,
  LeaseKeepAliveRequest,
  LeaseKeepAliveResponse,
} from '../wire/types.js';

// Monotonic: a wall clock stepped by NTP must not stretch or cut a lease.
const now = (): number => performance.now();

type KeepAliveStream = grpc.ClientDuplexStream<LeaseKeepAliveRequest, LeaseKeepAliveResponse>;

/**
 * An etcd lease renewed every interval over one stream (moved to the next member when it breaks
 * or stalls). It counts as lost at `sent + TTL` of the last renewal etcd confirmed: the server
 * cannot expire it before then, so a holder that still sees it alive is never wrong.
 */
export class KeptLease {
  readonly lost: Promise<CohortError>;
  private readonly controller = new AbortController();
  private resolveLost!: (error: CohortError) => void;
  private stream: KeepAliveStream | undefined;
  private streamClients: EndpointClients | undefined;
  private pending: number[] = [];
  private expiresAt: number;
  private readonly ticker: NodeJS.Timeout;
  private expiry: NodeJS.Timeout | undefined;
  private revoking: Promise<void> | undefined;
  private readonly forgetClose: () => void;

  static async grant(
    pool: EndpointPool,
    ttlSeconds: number,
    intervalMs: number,
  ): Promise<KeptLease> {
    const sentAt = now();
    const reply = await pool.request('grant a lease', (c, md, options) =>
      call<LeaseGrantResponse>((cb) =>
        c.lease.leaseGrant({ TTL: String(ttlSeconds) }, md, options, cb),
      ),
    );
    if (reply.error !== '') throw grpcError('grant a lease', reply.error, undefined);
    return new KeptLease(pool, reply.ID, toNumber(reply.TTL, 'TTL'), intervalMs, sentAt);
  }

  private constructor(
    private readonly pool: EndpointPool,
    /** Decimal, as etcd sends it: IDs use all 63 bits. */
    readonly id: string,
    /** As granted: etcd may raise a TTL below its minimum. */
    readonly ttlSeconds: number,
    private readonly intervalMs: number,
    grantSentAt: number,
  ) {
    this.lost = new Promise((resolve) => (this.resolveLost = resolve));
    this.expiresAt = grantSentAt + ttlSeconds * 1000;
    this.armExpiry();
    this.ticker = setInterval(() => this.renew(), intervalMs);
    this.forgetClose = pool.onClose(() =>
      this.lose(`lease ${this.hexId} was dropped: the etcd client was closed`),
    );
  }

  /** Aborted, with the CohortError as reason, when the lease is lost or revoked. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get hexId(): string {
    return BigInt(this.id).toString(16);
  }

  /** Stops renewing and asks etcd to drop the lease and its keys now; best effort, once. */
  revoke(): Promise<void> {
    this.revoking ??= this.revokeOnce();
    return this.revoking;
  }

  private async revokeOnce(): Promise<void> {
    this.lose(`lease ${this.hexId} was revoked`);
    if (this.pool.isClosed) return;
    try {
      await this.pool.request('revoke a lease', (c, md, options) =>
        call((cb) => c.lease.leaseRevoke({ ID: this.id }, md, options, cb)),
      );
    } catch {
      // Unreachable or already gone: the TTL removes it either way.
    }
  }

  /** Marks the lease lost; idempotent, the first reason wins. */
  lose(reason: string): void {
    if (this.controller.signal.aborted) return;
    const error = new CohortError(ErrorCode.NotLeader, reason, {
      details: { lease: this.hexId, ttlSeconds: this.ttlSeconds },
    });
    clearInterval(this.ticker);
    this.forgetClose();
    if (this.expiry !== undefined) clearTimeout(this.expiry);
    this.dropStream(false);
    this.controller.abort(error);
    this.resolveLost(error);
  }

  private renew(): void {
    const oldest = this.pending[0];
    // A renewal unanswered for a whole interval: that member is stuck, try the next one.
    if (oldest !== undefined && now() - oldest > this.intervalMs) this.dropStream(true);
    const stream = this.stream ?? this.openStream();
    this.pending.push(now());
    stream.write({ ID: this.id });
  }

  private openStream(): KeepAliveStream {
    const clients = this.pool.current();
    const stream = clients.lease.leaseKeepAlive(this.pool.metadata());
    stream.on('data', (reply: LeaseKeepAliveResponse) => {
      if (stream === this.stream) this.onReply(reply);
    });
    const ended = (): void => {
      if (stream === this.stream) this.dropStream(true);
    };
    stream.on('error', ended);
    stream.on('end', ended);
    this.stream = stream;
    this.streamClients = clients;
    return stream;
  }

  private onReply(reply: LeaseKeepAliveResponse): void {
    const sentAt = this.pending.shift();
    if (sentAt === undefined) return;
    const ttl = toNumber(reply.TTL, 'TTL');
    if (ttl <= 0) {
      this.lose(`etcd no longer has lease ${this.hexId}: it expired or was revoked`);
      return;
    }
    this.expiresAt = Math.max(this.expiresAt, sentAt + ttl * 1000);
    this.armExpiry();
  }

  private armExpiry(): void {
    if (this.expiry !== undefined) clearTimeout(this.expiry);
    this.expiry = setTimeout(
      () => {
        if (now() >= this.expiresAt) {
          this.lose(
            `lease ${this.hexId} was not renewed within its TTL of ${this.ttlSeconds} s: etcd is unreachable or has lost quorum; start the stopped members so a majority runs, or mend the network to them`,
          );
        } else {
          this.armExpiry();
        }
      },
      Math.max(0, this.expiresAt - now()),
    );
  }

  private dropStream(moveOn: boolean): void {
    const stream = this.stream;
    const clients = this.streamClients;
    this.stream = undefined;
    this.streamClients = undefined;
    this.pending = [];
    if (stream !== undefined) stream.cancel();
    if (moveOn && clients !== undefined) this.pool.advance(clients);
  }
}
