import { RECOVERY_LIMIT, type GroupPolicy } from './policy.js';

export type Engine = 'podman' | 'runc';

/** What went wrong: a member's container ended badly, or its node's agent went silent. */
export type RecoveryTrigger =
  | { kind: 'member-died'; member: string; node: string; detail: string }
  | { kind: 'node-lost'; node: string; silentMs: number };

export interface MemberView {
  member: string;
  node: string;
  engine: Engine;
  /** The container runs now (a dead member's does not). */
  running: boolean;
}

export interface NodeView {
  name: string;
  /** Its agent is connected (or was, within the loss deadline). */
  alive: boolean;
  engines: readonly Engine[];
}

export interface StoredView {
  epoch: number;
  location: string;
  members: readonly string[];
}

export interface RecoveryInput {
  policy: Pick<GroupPolicy, 'onFailure'>;
  trigger: RecoveryTrigger;
  members: readonly MemberView[];
  nodes: readonly NodeView[];
  latestStored?: StoredView;
  /** When this group's earlier recoveries began, newest last. */
  recentRecoveries: readonly number[];
  /** A recovery (or any round) of this group is already under way. */
  busy: boolean;
  now: number;
}

export interface Placement {
  member: string;
  node: string;
}

export type RecoveryDecision =
  | { kind: 'none'; reason: string }
  | { kind: 'blocked'; reason: string }
  | {
      kind: 'restore';
      epoch: number;
      location: string;
      stop: Placement[];
      placements: Placement[];
    };

/**
 * The recovery rule: restore the whole group from its latest stored checkpoint when its policy
 * says so, each member on its own node while that node lives, else on another live node whose
 * engine can run it. It refuses (blocked, with the reason) when there is nothing to restore
 * from, when a member has nowhere to go, and when the group keeps failing (a restore loop).
 */
export function decideRecovery(input: RecoveryInput): RecoveryDecision {
  const why = describe(input.trigger);
  if (input.policy.onFailure !== 'restore') {
    return { kind: 'none', reason: `${why}; the group's policy is on-failure none` };
  }
  if (input.busy)
    return { kind: 'none', reason: `${why}; a round of the group is already under way` };
  const stored = input.latestStored;
  if (stored === undefined) {
    return {
      kind: 'blocked',
      reason: `${why}, but the group has no stored checkpoint to restore from; its members are left as they are`,
    };
  }
  const recent = input.recentRecoveries.filter((at) => input.now - at < RECOVERY_LIMIT.windowMs);
  if (recent.length >= RECOVERY_LIMIT.count) {
    return {
      kind: 'blocked',
      reason: `${why}, but the group was recovered ${recent.length} times in the last ${RECOVERY_LIMIT.windowMs / 60_000} minutes; stopping to break a restore loop: fix the cause, then run cohortctl restore`,
    };
  }
  const missing = stored.members.filter((name) => !input.members.some((m) => m.member === name));
  if (missing.length > 0) {
    return {
      kind: 'blocked',
      reason: `${why}, but no node reports member(s) ${missing.join(', ')} of checkpoint epoch ${stored.epoch}`,
    };
  }
  const placements = place(
    input.members.filter((m) => stored.members.includes(m.member)),
    input.nodes,
  );
  if ('homeless' in placements) {
    return {
      kind: 'blocked',
      reason: `${why}, but no live node can run member ${placements.homeless.member} (${placements.homeless.engine}); start an agent on a node that can, or restore by hand`,
    };
  }
  const alive = new Set(input.nodes.filter((n) => n.alive).map((n) => n.name));
  const stop = input.members
    .filter((m) => m.running && alive.has(m.node))
    .map((m) => ({ member: m.member, node: m.node }));
  return {
    kind: 'restore',
    epoch: stored.epoch,
    location: stored.location,
    stop,
    placements: placements.list,
  };
}

/** Own node first; otherwise the live node with that engine holding the fewest members so far. */
export function place(
  members: readonly MemberView[],
  nodes: readonly NodeView[],
): { list: Placement[] } | { homeless: MemberView } {
  const live = nodes.filter((node) => node.alive);
  const load = new Map(live.map((node) => [node.name, 0]));
  const list: Placement[] = [];
  const sorted = [...members].sort((a, b) => a.member.localeCompare(b.member));
  const stays = (m: MemberView) =>
    live.some((n) => n.name === m.node && n.engines.includes(m.engine));
  for (const member of sorted.filter(stays)) {
    list.push({ member: member.member, node: member.node });
    load.set(member.node, (load.get(member.node) ?? 0) + 1);
  }
  for (const member of sorted.filter((m) => !stays(m))) {
    const candidates = live
      .filter((node) => node.engines.includes(member.engine))
      .sort(
        (a, b) => (load.get(a.name) ?? 0) - (load.get(b.name) ?? 0) || a.name.localeCompare(b.name),
      );
    const target = candidates[0];
    if (target === undefined) return { homeless: member };
    list.push({ member: member.member, node: target.name });
    load.set(target.name, (load.get(target.name) ?? 0) + 1);
  }
  return { list: list.sort((a, b) => a.member.localeCompare(b.member)) };
}

function describe(trigger: RecoveryTrigger): string {
  return trigger.kind === 'member-died'
    ? `member ${trigger.member} on node ${trigger.node} died (${trigger.detail})`
    : `node ${trigger.node}'s agent has been silent for ${Math.round(trigger.silentMs / 1000)} s`;
}
