import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/runc.js';

/** The JSON Schema editors get, read by an independent validator (ajv), as an editor would. */
const schema = JSON.parse(
  readFileSync(join(REPO_ROOT, 'schemas', 'group-manifest.schema.json'), 'utf8'),
) as object;
const validate = new Ajv2020({ strict: false }).compile(schema);

describe('schemas/group-manifest.schema.json', () => {
  it.each([
    'name: orders\nmembers: [db, api]\ndeadlines:\n  joinTimeout: 45s\n  dumpTimeout: 600000\n',
    'name: batch\nsize: 3\n',
  ])('takes a manifest cohortctl takes: %j', (text) => {
    expect(validate(parse(text)), JSON.stringify(validate.errors)).toBe(true);
  });

  it.each([
    ['an unknown field', 'name: orders\nsize: 2\nreplicas: 3\n'],
    ['a bad member name', 'name: orders\nmembers: ["web server"]\n'],
    ['a misspelt deadline', 'name: orders\nsize: 1\ndeadlines:\n  joinTimout: 10s\n'],
    ['no name', 'size: 2\n'],
    ['too many members', `name: big\nsize: 5000\n`],
  ])('refuses %s, as cohortctl does', (_name, text) => {
    expect(validate(parse(text))).toBe(false);
  });
});
