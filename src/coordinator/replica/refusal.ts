import { formatAddressList } from '../../core/address-list.js';
import { CohortError, ErrorCode } from '../../core/errors.js';
import type { JsonValue, LeaderInfo } from '../../etcd/index.js';

/** What a replica campaigns with: where clients reach it once it leads. */
export interface CampaignValue {
  addresses: string[];
  pid: number;
}

export function campaignValue(addresses: readonly string[]): JsonValue {
  return { addresses: [...addresses], pid: process.pid };
}

/** The addresses a leader campaigned with; none for a value cohort did not write. */
export function leaderAddresses(leader: LeaderInfo | undefined): string[] {
  const value = leader?.value as Partial<CampaignValue> | null | undefined;
  const addresses = value?.addresses;
  return Array.isArray(addresses) ? addresses.filter((a) => typeof a === 'string') : [];
}

/**
 * A follower's answer to everything: the leader's addresses in `details.leader` (the `+` list
 * form) for clients to go there, or, with no leader to name, why there is none.
 */
export function notLeaderError(
  self: readonly string[],
  leader: LeaderInfo | undefined,
  etcdProblem: CohortError | undefined,
): CohortError {
  const addresses = leaderAddresses(leader);
  const here = formatAddressList(self);
  if (addresses.length > 0 && addresses.join() !== self.join()) {
    const there = formatAddressList(addresses);
    return new CohortError(
      ErrorCode.NotLeader,
      `cohortd at ${here} is a follower; the leader is at ${there}: list every replica in coordinator.address (or --coordinator, repeated) and clients go there themselves`,
      { details: { leader: there, follower: here } },
    );
  }
  const why =
    leader !== undefined
      ? 'the leader is changing'
      : etcdProblem !== undefined
        ? `no replica can be elected: ${etcdProblem.message}`
        : 'an election is under way';
  return new CohortError(
    ErrorCode.NotLeader,
    `no cohortd replica leads right now (${why}); try again in a few seconds`,
    {
      details: {
        follower: here,
        ...(etcdProblem === undefined ? {} : { etcd: etcdProblem.code }),
      },
    },
  );
}
