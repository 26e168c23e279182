import { describe, expect, it } from 'vitest';
import { isCohortError } from '../../src/core/errors.js';
import { readGroupDeclaration } from '../../src/spec/annotations.js';

describe('group annotations', () => {
  it('reads nothing from a container that asks for nothing', () => {
    expect(readGroupDeclaration({ 'org.opencontainers.x': 'y' }, 'c1')).toBeUndefined();
  });

  it("leaves a pod's sandbox container out, though it carries the pod's annotations", () => {
    const pod = { 'io.cohort.group': 'web', 'io.cohort.member': 'db' };
    expect(
      readGroupDeclaration({ ...pod, 'io.kubernetes.cri.container-type': 'sandbox' }, 'p'),
    ).toBeUndefined();
    expect(
      readGroupDeclaration({ ...pod, 'io.kubernetes.cri-o.ContainerType': 'sandbox' }, 'p'),
    ).toBeUndefined();
    expect(
      readGroupDeclaration({ ...pod, 'io.kubernetes.cri.container-type': 'container' }, 'c'),
    ).toEqual({
      group: 'web',
      member: 'db',
    });
  });

  it('defaults the member name to the container id', () => {
    expect(readGroupDeclaration({ 'io.cohort.group': 'web' }, 'c1')).toEqual({
      group: 'web',
      member: 'c1',
    });
  });

  it('reads size, members and a coordinator override', () => {
    expect(
      readGroupDeclaration(
        {
          'io.cohort.group': 'web',
          'io.cohort.member': 'db',
          'io.cohort.group.size': '2',
          'io.cohort.group.members': 'db, cache',
          'io.cohort.coordinator': 'unix:///run/x.sock',
        },
        'c1',
      ),
    ).toEqual({
      group: 'web',
      member: 'db',
      size: 2,
      members: ['db', 'cache'],
      coordinator: ['unix:///run/x.sock'],
    });
  });

  it.each([
    [{ 'io.cohort.member': 'db' }, 'io.cohort.member', 'needs io.cohort.group'],
    [{ 'io.cohort.group': 'a b' }, 'io.cohort.group', 'letters, digits'],
    [
      { 'io.cohort.group': 'g', 'io.cohort.group.size': '0' },
      'io.cohort.group.size',
      'whole number',
    ],
    [
      { 'io.cohort.group': 'g', 'io.cohort.group.members': 'a,b' },
      'io.cohort.group.members',
      'add this container',
    ],
    [
      { 'io.cohort.group': 'g', 'io.cohort.group.members': 'c1,c1' },
      'io.cohort.group.members',
      'once',
    ],
    [
      { 'io.cohort.group': 'g', 'io.cohort.group.members': 'c1,b', 'io.cohort.group.size': '3' },
      'io.cohort.group.size',
      'must equal the 2 names',
    ],
    [
      { 'io.cohort.group': 'g', 'io.cohort.coordinator': 'nowhere' },
      'io.cohort.coordinator',
      'unix:///path',
    ],
  ])('rejects %j naming %s and the fix', (annotations, key, fix) => {
    let caught: unknown;
    try {
      readGroupDeclaration(annotations, 'c1');
    } catch (error) {
      caught = error;
    }
    expect(isCohortError(caught, 'COHORT_ERR_ANNOTATION')).toBe(true);
    expect((caught as Error).message).toContain(key);
    expect((caught as Error).message).toContain(fix);
  });

  it('names a podman container by its short id: podman passes only the 64-hex id, too long for a name', () => {
    const id = 'f'.repeat(4) + '0123456789abcdef'.repeat(3) + 'a'.repeat(12);
    expect(id).toHaveLength(64);
    expect(readGroupDeclaration({ 'io.cohort.group': 'web' }, id)).toEqual({
      group: 'web',
      member: id.slice(0, 12),
    });
  });

  it("tells a pod's containers apart under CRI, though they share the pod's annotations", () => {
    const pod = {
      'io.cohort.group': 'orders',
      'io.kubernetes.cri.sandbox-name': 'orders-db',
      'io.kubernetes.cri.sandbox-namespace': 'default',
    };
    const named = (container: string, extra: Record<string, string> = {}) =>
      readGroupDeclaration(
        { ...pod, ...extra, 'io.kubernetes.cri.container-name': container },
        'cid',
      )?.member;
    expect(named('postgres')).toBe('orders-db.postgres');
    expect(named('backup')).toBe('orders-db.backup');
    expect(named('postgres', { 'io.cohort.member': 'db' })).toBe('db.postgres');
    expect(named('postgres', { 'io.cohort.member.postgres': 'primary' })).toBe('primary');
    // CRI-O's own keys say the same.
    expect(
      readGroupDeclaration(
        {
          'io.cohort.group': 'g',
          'io.kubernetes.pod.name': 'p',
          'io.kubernetes.container.name': 'c',
        },
        'cid',
      )?.member,
    ).toBe('p.c');
  });

  it('keeps a long pod and container name within 63 characters, recognisably', () => {
    const member = readGroupDeclaration(
      {
        'io.cohort.group': 'g',
        'io.kubernetes.cri.sandbox-name': 'a-very-long-pod-name-'.repeat(4),
        'io.kubernetes.cri.container-name': 'worker',
      },
      'cid',
    )?.member;
    expect(member).toMatch(/^a-very-long-pod-name-.*-[0-9a-f]{8}$/);
    expect(member?.length).toBeLessThanOrEqual(63);
  });

  it('reads a member list written with colons, which podman passes without quoting', () => {
    expect(
      readGroupDeclaration(
        { 'io.cohort.group': 'g', 'io.cohort.member': 'a', 'io.cohort.group.members': 'a:b:c' },
        'x',
      )?.members,
    ).toEqual(['a', 'b', 'c']);
  });

  it('refuses more members than the coordinator takes, at create', () => {
    expect(() =>
      readGroupDeclaration({ 'io.cohort.group': 'g', 'io.cohort.group.size': '5000' }, 'x'),
    ).toThrow(
      /io.cohort.group.size: "5000" is not a size; set a whole number of members from 1 to 4096/,
    );
  });
});
