// Writes schemas/group-manifest.schema.json from the one manifest declaration (zod), for editors
// (YAML language servers read "# yaml-language-server: $schema=..."). `--check` fails on drift.
import { readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { manifestSchema } from '../src/coordinator/manifest.js';

const PATH = 'schemas/group-manifest.schema.json';
const schema = {
  ...z.toJSONSchema(manifestSchema, { io: 'input', unrepresentable: 'any' }),
  $id: 'https://cohort.example/schemas/group-manifest.schema.json',
  title: 'cohort group manifest',
};
const text = JSON.stringify(schema, null, 2) + '\n';
if (process.argv.includes('--check')) {
  if (readFileSync(PATH, 'utf8') !== text) {
    console.error(`${PATH} is not what the manifest schema makes: run npm run generate`);
    process.exit(1);
  }
} else {
  writeFileSync(PATH, text);
}
