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
      coordinator: 'unix:///run/x.sock',
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
});
