import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { CONFIG_DIR, ENGINES_DOC, readConfigFile } from './paths.js';

const FILE = 'cohort.example.json';

/** Every key path of a JSON object: coordinator, coordinator.tls, coordinator.tls.ca, ... */
function keyPaths(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [];
  return Object.entries(value).flatMap(([key, child]) => [
    prefix + key,
    ...keyPaths(child, `${prefix}${key}.`),
  ]);
}

describe('config/cohort.example.json', () => {
  const raw = JSON.parse(readConfigFile(FILE)) as Record<string, unknown>;

  it('is a config cohort accepts as it is', () => {
    const config = parseConfig(raw, `${CONFIG_DIR}/${FILE}`);
    expect(config.coordinator.tls).toBeDefined();
    expect(config.criu.pageServerTls?.cert).toBe('/etc/cohort/pki/page-server.crt');
  });

  it('keeps "runc" and "node" on lines of their own, the way bin/cohort reads them', () => {
    const lines = readConfigFile(FILE).split('\n');
    for (const key of ['runc', 'node']) {
      expect(lines.filter((line) => line.includes(`"${key}"`))).toEqual([
        expect.stringMatching(new RegExp(`^\\s*"${key}": "/[^"]+",?$`)),
      ]);
    }
  });

  it('has every key explained in docs/engines.md', () => {
    const doc = readFileSync(ENGINES_DOC, 'utf8');
    for (const path of keyPaths(raw))
      expect(doc, `docs/engines.md does not explain ${path}`).toContain(`\`${path}\``);
  });
});
