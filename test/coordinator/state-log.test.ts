import {
  appendFileSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import type { LogRecord } from '../../src/coordinator/protocol/records.js';
import { encodeLine } from '../../src/coordinator/store/record-line.js';
import { LOG_FILE, StateLog } from '../../src/coordinator/store/state-log.js';

const dirs: string[] = [];
function stateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cohort-log-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const records: LogRecord[] = [
  { type: 'group-applied', at: 1, manifest: { name: 'g', members: ['a', 'b'] } },
  {
    type: 'round-opened',
    at: 2,
    group: 'g',
    epoch: 1,
    roundId: 'g-1',
    kind: 'checkpoint',
    expected: 2,
  },
  { type: 'group-deleted', at: 3, name: 'g' },
];

function written(dir: string): void {
  const { log } = StateLog.open(dir);
  for (const record of records) log.append(record);
  log.close();
}

describe('state log', () => {
  test('records survive a reopen in order', () => {
    const dir = stateDir();
    written(dir);
    const { records: back, truncated, log } = StateLog.open(dir);
    log.close();
    expect(back).toEqual(records);
    expect(truncated).toBeUndefined();
  });

  test('each line is JSON carrying a CRC32', () => {
    const dir = stateDir();
    written(dir);
    const first = readFileSync(join(dir, LOG_FILE), 'utf8').split('\n')[0] ?? '';
    expect(JSON.parse(first)).toMatchObject({
      crc: expect.stringMatching(/^[0-9a-f]{8}$/),
      record: records[0],
    });
  });

  test.each([
    [
      'a half-written last line',
      (path: string, size: number) => truncateSync(path, size - 7),
      'incomplete',
    ],
    ['a flipped byte', (path: string) => flip(path, 'epoch":1', 'epoch":7'), 'checksum mismatch'],
    ['garbage appended', (path: string) => appendFileSync(path, 'garbage\n'), 'not a record line'],
  ])('%s is detected, reported and cut; the valid prefix is kept', (_name, damage, problem) => {
    const dir = stateDir();
    written(dir);
    const path = join(dir, LOG_FILE);
    const size = readFileSync(path).length;
    damage(path, size);
    const opened = StateLog.open(dir);
    expect(opened.truncated?.problem).toContain(problem);
    expect(opened.records.length).toBeGreaterThanOrEqual(1);
    expect(opened.records).toEqual(records.slice(0, opened.records.length));
    // The file is cut to the prefix, and appends continue after it.
    opened.log.append(records[2] as LogRecord);
    opened.log.close();
    const again = StateLog.open(dir);
    again.log.close();
    expect(again.truncated).toBeUndefined();
    expect(again.records.at(-1)).toEqual(records[2]);
  });

  test('a damaged middle line drops everything after it', () => {
    const dir = stateDir();
    const [first = '', second = '', third = ''] = records.map(encodeLine);
    writeFileSync(join(dir, LOG_FILE), first + second.replace('"g-1"', '"g-2"') + third);
    const opened = StateLog.open(dir);
    opened.log.close();
    expect(opened.records).toEqual(records.slice(0, 1));
    expect(opened.truncated).toMatchObject({ line: 2, offset: first.length });
  });
});

function flip(path: string, from: string, to: string): void {
  writeFileSync(path, readFileSync(path, 'utf8').replace(from, to));
}
