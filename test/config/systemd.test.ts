import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDaemonArgs } from '../../src/daemon/parse-args.js';
import { run } from '../helpers/run.js';
import { readConfigFile } from './paths.js';

const UNIT = 'systemd/cohortd.service';
const SYSTEMD_ANALYZE = '/usr/bin/systemd-analyze';

/** systemd's unit syntax: [Section], Key=Value, # or ; comments; a key may repeat. */
function parseUnit(text: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | undefined;
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const section = /^\[([A-Za-z]+)\]$/.exec(line);
    if (section !== null) {
      current = new Map();
      sections.set(section[1] ?? '', current);
      return;
    }
    const pair = /^([A-Za-z][A-Za-z0-9]*)=(.*)$/.exec(line);
    if (pair === null || current === undefined)
      throw new Error(`${UNIT}:${index + 1}: not a unit line: ${raw}`);
    const values = current.get(pair[1] ?? '') ?? [];
    values.push(pair[2] ?? '');
    current.set(pair[1] ?? '', values);
  });
  return sections;
}

describe('config/systemd/cohortd.service', () => {
  const unit = parseUnit(readConfigFile(UNIT));
  const service = unit.get('Service') ?? new Map<string, string[]>();
  const one = (key: string) => service.get(key)?.join(' ');

  it('has the Unit, Service and Install sections', () => {
    expect([...unit.keys()]).toEqual(['Unit', 'Service', 'Install']);
    expect(unit.get('Install')?.get('WantedBy')).toEqual(['multi-user.target']);
  });

  it('is hardened and keeps its state where cohortd expects it', () => {
    expect(one('NoNewPrivileges')).toBe('yes');
    expect(one('PrivateTmp')).toBe('yes');
    expect(one('ProtectSystem')).toBe('strict');
    expect(one('StateDirectory')).toBe('cohort');
    expect(one('RuntimeDirectory')).toBe('cohort');
    // /run/cohort also holds the runtime's per-container state: a cohortd restart must not remove it.
    expect(one('RuntimeDirectoryPreserve')).toBe('yes');
    expect(one('ReadWritePaths')?.split(' ')).toEqual(['/var/lib/cohort', '/run/cohort']);
    expect(one('Restart')).toBe('on-failure');
    expect(one('ExecStart')).toMatch(
      /cohortd --listen unix:\/\/\/run\/cohort\/cohortd\.sock --state-dir \/var\/lib\/cohort$/,
    );
  });

  it('starts cohortd with flags cohortd accepts', async () => {
    const [, ...args] = (one('ExecStart') ?? '').split(' ');
    const parsed = await parseDaemonArgs(args);
    if (parsed.kind !== 'run') throw new Error('cohortd would print text, not run');
    expect(parsed.options).toMatchObject({
      listen: ['unix:///run/cohort/cohortd.sock'],
      stateDir: '/var/lib/cohort',
    });
  });

  it.skipIf(!existsSync(SYSTEMD_ANALYZE))(
    'passes systemd-analyze verify with no warning',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'cohort-unit-'));
      try {
        // verify checks that ExecStart exists; any executable stands in for an installed cohortd.
        const text = readConfigFile(UNIT).replace(/^ExecStart=\S+/m, 'ExecStart=/bin/true');
        writeFileSync(join(dir, 'cohortd.service'), text);
        const result = await run(SYSTEMD_ANALYZE, ['verify', join(dir, 'cohortd.service')]);
        expect(result).toMatchObject({ exitCode: 0, stderr: '' });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
