import { CohortError, ErrorCode } from '../../core/errors.js';
import type { NodeMember } from '../types.js';
import type { NodeState } from './agents.js';

export interface LocatedMember {
  node: string;
  member: NodeMember;
}

/**
 * Where each member of a group runs, from what the connected agents report. Refused, naming the
 * members, when none is reported, when one is reported only by an agent that is not connected,
 * when two nodes claim one member, or when one is not running.
 */
export function locateForCheckpoint(
  group: string,
  found: readonly LocatedMember[],
  nodes: readonly NodeState[],
): LocatedMember[] {
  const connected = new Set(nodes.filter((n) => n.connected).map((n) => n.name));
  const live = found.filter((f) => connected.has(f.node));
  if (live.length === 0) {
    throw new CohortError(
      ErrorCode.NotFound,
      `no connected node reports a member of group ${group}: start its containers (annotated io.cohort.group=${group}) and an agent on their nodes`,
      { details: { group } },
    );
  }
  // A group is checkpointed whole: a member only an absent agent reports makes any round partial.
  const away = found.filter(
    (f) => !connected.has(f.node) && !live.some((l) => l.member.member === f.member.member),
  );
  if (away.length > 0) {
    const list = away.map((f) => `${f.member.member} (node ${f.node})`).join(', ');
    throw new CohortError(
      ErrorCode.Unreachable,
      `group ${group} is checkpointed whole, but the agent of member ${list} is not connected: start that agent again, or wait for the group's recovery once the node counts as lost`,
      { details: { group, node: away[0]?.node ?? '' } },
    );
  }
  const byMember = new Map<string, LocatedMember[]>();
  for (const located of live)
    byMember.set(located.member.member, [...(byMember.get(located.member.member) ?? []), located]);
  for (const [member, claims] of byMember) {
    if (claims.length > 1) {
      throw new CohortError(
        ErrorCode.DuplicateMember,
        `member ${member} of group ${group} is reported by nodes ${claims.map((c) => c.node).join(' and ')}; give each container its own member name, or remove one`,
        { details: { group, member } },
      );
    }
  }
  const stopped = live.filter((f) => f.member.state !== 'running');
  if (stopped.length > 0) {
    const list = stopped
      .map((f) => `${f.member.member} on ${f.node} is ${f.member.state}`)
      .join(', ');
    throw new CohortError(
      ErrorCode.Engine,
      `group ${group}: ${list}; only running members can be checkpointed: start them, or restore the group`,
      {
        details: { group },
      },
    );
  }
  return live;
}

/** Groups located members by node, for one command per node. */
export function byNode<T extends { node: string }>(items: readonly T[]): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) map.set(item.node, [...(map.get(item.node) ?? []), item]);
  return map;
}
