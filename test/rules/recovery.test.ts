import { describe, expect, it } from 'vitest';
import { RECOVERY_LIMIT } from '../../src/coordinator/rules/policy.js';
import {
  decideRecovery,
  place,
  type MemberView,
  type NodeView,
  type RecoveryInput,
} from '../../src/coordinator/rules/recovery.js';

const nodes: NodeView[] = [
  { name: 'n1', alive: true, engines: ['podman', 'runc'] },
  { name: 'n2', alive: true, engines: ['podman'] },
];
const members: MemberView[] = [
  { member: 'a', node: 'n1', engine: 'podman', running: false },
  { member: 'b', node: 'n2', engine: 'podman', running: true },
];
const stored = { epoch: 7, location: 'dir:/store', members: ['a', 'b'] };

function input(over: Partial<RecoveryInput> = {}): RecoveryInput {
  return {
    policy: { onFailure: 'restore' },
    trigger: { kind: 'member-died', member: 'a', node: 'n1', detail: 'killed by SIGKILL' },
    members,
    nodes,
    latestStored: stored,
    recentRecoveries: [],
    busy: false,
    now: 1_000_000,
    ...over,
  };
}

describe('the recovery rule', () => {
  it('restores the whole group from the latest stored checkpoint, each member on its own live node', () => {
    expect(decideRecovery(input())).toEqual({
      kind: 'restore',
      epoch: 7,
      location: 'dir:/store',
      stop: [{ member: 'b', node: 'n2' }],
      placements: [
        { member: 'a', node: 'n1' },
        { member: 'b', node: 'n2' },
      ],
    });
  });

  it('moves the members of a lost node to a live node whose engine can run them', () => {
    const lost = nodes.map((n) => (n.name === 'n1' ? { ...n, alive: false } : n));
    const decision = decideRecovery(
      input({ nodes: lost, trigger: { kind: 'node-lost', node: 'n1', silentMs: 12_000 } }),
    );
    expect(decision).toMatchObject({
      kind: 'restore',
      stop: [{ member: 'b', node: 'n2' }],
      placements: [
        { member: 'a', node: 'n2' },
        { member: 'b', node: 'n2' },
      ],
    });
  });

  it("says it cannot recover when no live node runs the lost member's engine", () => {
    const runcMember: MemberView[] = [{ member: 'a', node: 'n1', engine: 'runc', running: false }];
    const decision = decideRecovery(
      input({
        members: [...runcMember, members[1] as MemberView],
        nodes: [{ name: 'n1', alive: false, engines: ['runc'] }, nodes[1] as NodeView],
        trigger: { kind: 'node-lost', node: 'n1', silentMs: 15_000 },
      }),
    );
    expect(decision.kind).toBe('blocked');
    expect(decision).toMatchObject({
      reason: expect.stringContaining('no live node can run member a (runc)'),
    });
  });

  it('leaves the members as they are when the group has no stored checkpoint yet', () => {
    const decision = decideRecovery(input({ latestStored: undefined }));
    expect(decision).toEqual({
      kind: 'blocked',
      reason: expect.stringContaining(
        'no stored checkpoint to restore from; its members are left as they are',
      ),
    });
  });

  it('does nothing when the policy says on-failure none, or a round is already under way', () => {
    expect(decideRecovery(input({ policy: { onFailure: 'none' } })).kind).toBe('none');
    expect(decideRecovery(input({ busy: true })).kind).toBe('none');
  });

  it('stops a restore loop: too many recoveries within the window', () => {
    const now = 10_000_000;
    const recent = Array.from({ length: RECOVERY_LIMIT.count }, (_, i) => now - 1_000 * (i + 1));
    expect(decideRecovery(input({ now, recentRecoveries: recent }))).toMatchObject({
      kind: 'blocked',
      reason: expect.stringContaining('restore loop'),
    });
    const old = recent.map((at) => at - RECOVERY_LIMIT.windowMs);
    expect(decideRecovery(input({ now, recentRecoveries: old })).kind).toBe('restore');
  });

  it('spreads moved members over the least loaded nodes, deterministically', () => {
    const many: MemberView[] = ['a', 'b', 'c', 'd'].map((m) => ({
      member: m,
      node: 'gone',
      engine: 'podman',
      running: false,
    }));
    const three: NodeView[] = ['x', 'y', 'z'].map((name) => ({
      name,
      alive: true,
      engines: ['podman'],
    }));
    expect(place(many, three)).toEqual({
      list: [
        { member: 'a', node: 'x' },
        { member: 'b', node: 'y' },
        { member: 'c', node: 'z' },
        { member: 'd', node: 'x' },
      ],
    });
  });
});
