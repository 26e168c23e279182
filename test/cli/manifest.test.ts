import { describe, expect, it } from 'vitest';
import { parseGroupManifest } from '../../src/cli/manifest/parse-manifest.js';
import { isCohortError } from '../../src/core/errors.js';

function problem(text: string): string {
  try {
    parseGroupManifest(text, 'group.yaml');
  } catch (error) {
    if (isCohortError(error)) return `${error.code} ${error.message}`;
    throw error;
  }
  throw new Error('the manifest was accepted');
}

describe('parseGroupManifest', () => {
  it('reads YAML with members and deadlines given as numbers or durations', () => {
    const text = [
      'name: orders',
      'members: [db, api]',
      'deadlines:',
      '  joinTimeout: 45s',
      '  dumpTimeout: 600000',
      '',
    ].join('\n');
    expect(parseGroupManifest(text, 'group.yaml')).toEqual({
      name: 'orders',
      members: ['db', 'api'],
      deadlines: { joinMs: 45_000, dumpMs: 600_000 },
    });
  });

  it('reads JSON, which is YAML, with a size instead of members', () => {
    expect(parseGroupManifest('{"name": "batch", "size": 3}', 'group.json')).toEqual({
      name: 'batch',
      size: 3,
    });
  });

  const cases: [string, string[], string][] = [
    [
      'an unknown field',
      ['name: orders', 'size: 2', 'replicas: 3'],
      'line 3, field "replicas": is not a known key',
    ],
    [
      'a bad member name',
      ['name: orders', 'members:', '  - db', '  - "web server"'],
      'line 4, field "members[1]"',
    ],
    [
      'a member listed twice',
      ['name: orders', 'members:', '  - db', '  - db'],
      'line 4, field "members[1]": "db" is listed twice',
    ],
    [
      'a size that disagrees with the list',
      ['name: orders', 'members: [db, api]', 'size: 3'],
      'line 3, field "size": is 3 but 2 members are listed',
    ],
    [
      'a size that is not a number',
      ['name: orders', 'size: two'],
      'line 2, field "size": must be a whole number',
    ],
    [
      'members that are not a list',
      ['name: orders', 'members: db'],
      'line 2, field "members": must be a list',
    ],
    [
      'an unknown deadline',
      ['name: orders', 'size: 1', 'deadlines:', '  freezeTimeout: 1s', '  warpTimeout: 2s'],
      'line 5, field "deadlines.warpTimeout": is not a known key',
    ],
    [
      'a duration that is not one',
      ['name: orders', 'size: 1', 'deadlines:', '  dumpTimeout: soon'],
      'line 4, field "deadlines.dumpTimeout"',
    ],
    ['no name', ['size: 2'], 'field "name": is missing'],
    ['a bad group name', ['name: "-orders"', 'size: 2'], 'line 1, field "name"'],
    ['no members and no size', ['name: orders'], 'field "members": group orders has zero members'],
    ['a YAML syntax error', ['name: orders', 'members: [db, api', 'size: 2'], 'line 3'],
    ['a document that is not a mapping', ['- orders'], 'line 1: a group manifest is a mapping'],
  ];
  it.each(cases)('rejects %s, naming the line and field', (_name, lines, expected) => {
    const message = problem(lines.join('\n') + '\n');
    expect(message).toMatch(/^COHORT_ERR_MANIFEST manifest group\.yaml /);
    expect(message).toContain(expected);
    expect(message).not.toContain('\n');
  });

  it('suggests the key meant when one is misspelt', () => {
    expect(problem('name: orders\nsize: 2\ndeadlines:\n  joinTimout: 10s\n')).toContain(
      'line 4, field "deadlines.joinTimout": is not a known key; did you mean "joinTimeout"?',
    );
  });

  it('takes Go durations such as 1m30s', () => {
    expect(
      parseGroupManifest('name: g\nsize: 1\ndeadlines:\n  dumpTimeout: 1m30s\n', 'g.yaml')
        .deadlines,
    ).toEqual({ dumpMs: 90_000 });
  });
});
