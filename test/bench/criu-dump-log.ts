// What CRIU itself records: action timings and its run time from dump.log (restore.log), the
// frozen time from stats-dump. All are written to the --work-path of `runc checkpoint` (restore).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** CRIU's dump actions that run while the tasks are frozen (runc 1.1 + CRIU >= 3.19). */
export const FROZEN_ACTIONS = ['network-lock', 'post-dump', 'network-unlock'] as const;

/** CRIU's restore actions a cohort session answers (barriers and the vote). */
export const RESTORE_ACTIONS = ['pre-restore', 'post-restore', 'pre-resume'] as const;

interface LogLine {
  ms: number;
  text: string;
}

/** dump.log lines start with "(SS.uuuuuu)": seconds since CRIU started, to the microsecond. */
function parseLines(log: string): LogLine[] {
  const lines: LogLine[] = [];
  for (const line of log.split('\n')) {
    const match = /^\((\d+)\.(\d{6})\) ?(.*)$/.exec(line);
    if (match === null) continue;
    lines.push({ ms: Number(match[1]) * 1000 + Number(match[2]) / 1000, text: match[3] ?? '' });
  }
  return lines;
}

/**
 * How long each action held CRIU: from "Running <action> scripts" to the first line after its
 * script block (runc's RPC notification, "\tRPC", and each script, "\t[path]").
 */
export function actionDurations(log: string): Map<string, number> {
  const lines = parseLines(log);
  const durations = new Map<string, number>();
  lines.forEach((line, index) => {
    const action = /^Running (\S+) scripts$/.exec(line.text)?.[1];
    if (action === undefined) return;
    let next = index + 1;
    while (lines[next]?.text.startsWith('\t') === true) next += 1;
    const after = lines[next];
    if (after !== undefined) durations.set(action, after.ms - line.ms);
  });
  return durations;
}

export function readActionDurations(workDir: string): Map<string, number> {
  return actionDurations(readFileSync(join(workDir, 'dump.log'), 'utf8'));
}

/**
 * For restore.log, where the restored tasks and CRIU's helpers log between the lines of the
 * process that runs the scripts: each action's span up to the next action (or the log's end).
 * Against plain runc the same spans hold the same work, so the difference is the hook's.
 */
export function actionSpans(log: string): Map<string, number> {
  const lines = parseLines(log);
  const spans = new Map<string, number>();
  let open: { action: string; ms: number } | undefined;
  for (const line of lines) {
    const action = /^Running (\S+) scripts$/.exec(line.text)?.[1];
    if (action === undefined) continue;
    if (open !== undefined) spans.set(open.action, line.ms - open.ms);
    open = { action, ms: line.ms };
  }
  const last = lines.at(-1);
  if (open !== undefined && last !== undefined) spans.set(open.action, last.ms - open.ms);
  return spans;
}

export function readRestoreSpans(workDir: string): Map<string, number> {
  return actionSpans(readFileSync(join(workDir, 'restore.log'), 'utf8'));
}

/** CRIU's own run time: the last timestamped line of its log (it counts from its start). */
export function readCriuMs(workDir: string, log = 'dump.log'): number {
  return parseLines(readFileSync(join(workDir, log), 'utf8')).at(-1)?.ms ?? Number.NaN;
}

/**
 * CRIU's own frozen time (µs → ms) from stats-dump: two magics, a u32 size, then StatsEntry
 * { dump = 1: DumpStatsEntry { freezing_time = 1, frozen_time = 2, … } } (images/stats.proto).
 */
export function readFrozenMs(workDir: string): number {
  const image = readFileSync(join(workDir, 'stats-dump'));
  const entry = fieldBytes(image.subarray(12, 12 + image.readUInt32LE(8)), 1);
  const frozen = entry === undefined ? undefined : fieldVarint(entry, 2);
  if (frozen === undefined) throw new Error(`no frozen_time in ${workDir}/stats-dump`);
  return frozen / 1000;
}

function readVarint(buffer: Buffer, offset: number): [value: number, next: number] {
  let value = 0;
  let shift = 0;
  let at = offset;
  for (;;) {
    const byte = buffer[at];
    if (byte === undefined) throw new Error('truncated varint in stats-dump');
    value += (byte & 0x7f) * 2 ** shift;
    at += 1;
    shift += 7;
    if ((byte & 0x80) === 0) return [value, at];
  }
}

/** Walks a protobuf message, calling visit(field, wireType, valueOrLength, start) per field. */
function walk(
  message: Buffer,
  visit: (field: number, wire: number, value: number, start: number) => boolean,
): void {
  let at = 0;
  while (at < message.length) {
    const [key, afterKey] = readVarint(message, at);
    const field = Math.floor(key / 8);
    const wire = key % 8;
    if (wire === 0 || wire === 2) {
      const [value, afterValue] = readVarint(message, afterKey);
      if (visit(field, wire, value, afterValue)) return;
      at = wire === 2 ? afterValue + value : afterValue;
    } else if (wire === 1) at = afterKey + 8;
    else if (wire === 5) at = afterKey + 4;
    else throw new Error(`unexpected protobuf wire type ${wire} in stats-dump`);
  }
}

function fieldBytes(message: Buffer, wanted: number): Buffer | undefined {
  let found: Buffer | undefined;
  walk(message, (field, wire, length, start) => {
    if (field !== wanted || wire !== 2) return false;
    found = message.subarray(start, start + length);
    return true;
  });
  return found;
}

function fieldVarint(message: Buffer, wanted: number): number | undefined {
  let found: number | undefined;
  walk(message, (field, wire, value) => {
    if (field !== wanted || wire !== 0) return false;
    found = value;
    return true;
  });
  return found;
}
