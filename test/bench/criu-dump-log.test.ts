import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { actionDurations, actionSpans, readCriuMs, readFrozenMs } from './criu-dump-log.js';

// Excerpts of CRIU 4.2 logs as runc 1.1 gets them (dump.log of a group member, restore.log).
const DUMP_LOG = [
  '(00.077288) Running pre-dump scripts',
  '(00.077289) \tRPC',
  '(00.077712) \t[/opt/cohort/hooks/criu-action]',
  '(00.088905) irmap: Searching irmap cache in work dir',
  '(00.089929) Running network-lock scripts',
  '(00.089931) \tRPC',
  '(00.090082) \t[/opt/cohort/hooks/criu-action]',
  '(00.102949) RPC NOTIFY query-ext-files: no `opts` returned.',
  '(00.209399) Running post-dump scripts',
  '(00.209401) \tRPC',
  '(00.214405) net: Unlock network',
  '(00.523737) Dumping finished successfully',
].join('\n');

const RESTORE_LOG = [
  '(00.148553) Running pre-restore scripts',
  '(00.148563) \tRPC',
  '(00.148639) cg: cgroud: Daemon started',
  '(00.148884) \t[/opt/cohort/hooks/criu-action]',
  '(00.158786) Running setup-namespaces scripts',
  '(00.160000)      1: cg: Move into 2',
  '(00.437160) Running post-restore scripts',
  '(00.577336) Restore finished successfully. Tasks resumed.',
].join('\n');

describe("CRIU's logs as the benchmarks read them", () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('times each dump action to the first line after its script block', () => {
    const durations = actionDurations(DUMP_LOG);
    expect(durations.get('pre-dump')).toBeCloseTo(11.617, 3);
    expect(durations.get('network-lock')).toBeCloseTo(13.02, 3);
    expect(durations.get('post-dump')).toBeCloseTo(5.006, 3);
  });

  it('spans restore actions to the next action, past lines other processes log in between', () => {
    const spans = actionSpans(RESTORE_LOG);
    expect(spans.get('pre-restore')).toBeCloseTo(10.233, 3);
    expect(spans.get('setup-namespaces')).toBeCloseTo(278.374, 3);
    expect(spans.get('post-restore')).toBeCloseTo(140.176, 3);
  });

  it("reads CRIU's run time from its last line, and the frozen time from stats-dump", () => {
    dir = mkdtempSync(join(tmpdir(), 'cohort-dump-log-'));
    writeFileSync(join(dir, 'dump.log'), DUMP_LOG);
    expect(readCriuMs(dir)).toBeCloseTo(523.737, 3);

    // StatsEntry { dump = 1: { freezing_time = 1: 1500 µs, frozen_time = 2: 261930 µs } }
    const varint = (n: number): number[] => {
      const bytes: number[] = [];
      for (; n >= 0x80; n = Math.floor(n / 0x80)) bytes.push((n % 0x80) | 0x80);
      return [...bytes, n];
    };
    const dump = [0x08, ...varint(1500), 0x10, ...varint(261930)];
    const entry = Buffer.from([0x0a, dump.length, ...dump]);
    const header = Buffer.alloc(12);
    header.writeUInt32LE(entry.length, 8);
    writeFileSync(join(dir, 'stats-dump'), Buffer.concat([header, entry]));
    expect(readFrozenMs(dir)).toBeCloseTo(261.93, 3);
  });
});
