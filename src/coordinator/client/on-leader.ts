import type * as grpc from '@grpc/grpc-js';
import { CohortError, ErrorCode, toCohortError } from '../../core/errors.js';
import { formatAddressList } from '../../core/address-list.js';
import { unreachable } from './channel.js';
import { sleep } from './deferred.js';
import type { Replicas } from './replicas.js';

export interface OnLeaderOptions {
  /** Give up after this time (epoch ms): the last refusal is the error. */
  until: number;
  /**
   * Send again to another replica after the request may have reached one (reads, idempotent
   * writes). A refusal by a follower and a replica never connected to are retried either way.
   */
  resend: boolean;
}

/** How long one replica may take to connect before the next is tried. */
const CONNECT_EACH_MS = 400;
/** Between attempts when no replica leads yet (an election takes about the lease TTL). */
const NO_LEADER_PAUSE_MS = 100;

/**
 * Runs `call` on the leader: where a follower's refusal points, past replicas that do not
 * connect, until `until`. With a single address, one attempt as before (a follower may still
 * name the leader).
 */
export async function onLeader<T>(
  replicas: Replicas,
  call: (client: grpc.Client, address: string) => Promise<T>,
  o: OnLeaderOptions,
): Promise<T> {
  let last: CohortError | undefined;
  let misses = 0;
  for (;;) {
    const address = replicas.address;
    if (replicas.several) {
      const connectBy = Math.min(o.until, Date.now() + CONNECT_EACH_MS);
      if (!(await replicas.ready(address, connectBy, true))) {
        last = unreachable(address, 'no connection');
        replicas.moveOn(address, last);
        misses += 1;
        // A whole round of replicas down: pause, one may be restarting.
        if (misses % replicas.addresses.length === 0) await sleep(NO_LEADER_PAUSE_MS);
        if (Date.now() >= o.until) throw noLeader(replicas, last);
        continue;
      }
    }
    try {
      return await call(replicas.client(address), address);
    } catch (error) {
      const failure = toCohortError(error);
      const retry =
        failure.code === ErrorCode.NotLeader ||
        (failure.code === ErrorCode.Unreachable && o.resend && replicas.several);
      if (!retry) throw failure;
      last = failure;
      const sent = replicas.moveOn(address, failure);
      if (Date.now() >= o.until) throw noLeader(replicas, last);
      if (!sent) await sleep(Math.min(NO_LEADER_PAUSE_MS, Math.max(0, o.until - Date.now())));
    }
  }
}

/** The last refusal, naming every replica tried when there are several. */
function noLeader(replicas: Replicas, last: CohortError): CohortError {
  if (!replicas.several) return last;
  const all = formatAddressList(replicas.addresses);
  return new CohortError(
    last.code,
    `no cohortd replica of ${all} served the call: ${last.message}`,
    { cause: last, details: { ...last.details, addresses: all } },
  );
}
