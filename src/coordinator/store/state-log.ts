import {
  closeSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { CohortError, ErrorCode } from '../../core/errors.js';
import type { LogRecord } from '../protocol/records.js';
import { decodeLine, encodeLine } from './record-line.js';

export const LOG_FILE = 'coordinator.log';

/** A damaged tail that was cut off on open: where, why, and how much was lost. */
export interface TruncatedTail {
  offset: number;
  droppedBytes: number;
  line: number;
  problem: string;
}

export interface OpenedLog {
  log: StateLog;
  records: LogRecord[];
  truncated?: TruncatedTail;
}

/**
 * The coordinator's only durable state: an append-only file of checksummed JSON lines, each
 * write synced before `append` returns. A bad tail (a crash mid-write) is cut at open.
 */
export class StateLog {
  private constructor(
    readonly path: string,
    private fd: number | undefined,
  ) {}

  static open(stateDir: string): OpenedLog {
    try {
      mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    } catch (error) {
      throw storeError(`cannot create the state directory ${stateDir}`, error);
    }
    const path = join(stateDir, LOG_FILE);
    let fd: number;
    try {
      fd = openSync(path, 'a+', 0o600);
    } catch (error) {
      throw storeError(`cannot open ${path}`, error);
    }
    const { records, validBytes, truncated } = readRecords(readFileSync(path));
    if (truncated !== undefined) {
      ftruncateSync(fd, validBytes);
      fsyncSync(fd);
    }
    const opened: OpenedLog = { log: new StateLog(path, fd), records };
    if (truncated !== undefined) opened.truncated = truncated;
    return opened;
  }

  /** Writes and syncs one record; only then may its consequences be announced. */
  append(record: LogRecord): void {
    if (this.fd === undefined) throw storeError(`${this.path} is closed`);
    const bytes = Buffer.from(encodeLine(record));
    try {
      let written = 0;
      while (written < bytes.length) written += writeSync(this.fd, bytes, written);
      fsyncSync(this.fd);
    } catch (error) {
      throw storeError(`cannot write ${this.path}`, error);
    }
  }

  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }
}

/** Parses the log's bytes: the records of the valid prefix, and what follows it if damaged. */
export function readRecords(data: Buffer): {
  records: LogRecord[];
  validBytes: number;
  truncated?: TruncatedTail;
} {
  const records: LogRecord[] = [];
  let offset = 0;
  let line = 0;
  while (offset < data.length) {
    line += 1;
    const end = data.indexOf(0x0a, offset);
    const problem =
      end === -1
        ? 'the last line is incomplete'
        : parseInto(records, data.toString('utf8', offset, end));
    if (problem !== undefined) {
      return {
        records,
        validBytes: offset,
        truncated: { offset, droppedBytes: data.length - offset, line, problem },
      };
    }
    offset = end + 1;
  }
  return { records, validBytes: offset };
}

function parseInto(records: LogRecord[], text: string): string | undefined {
  const decoded = decodeLine(text);
  if ('problem' in decoded) return decoded.problem;
  try {
    const record = JSON.parse(decoded.json) as LogRecord;
    if (typeof record !== 'object' || record === null || typeof record.type !== 'string') {
      return 'not a record';
    }
    records.push(record);
    return undefined;
  } catch {
    return 'not JSON';
  }
}

function storeError(message: string, cause?: unknown): CohortError {
  const why = cause instanceof Error ? `: ${cause.message}` : '';
  return new CohortError(
    ErrorCode.Store,
    `state log: ${message}${why}; check --state-dir and its disk`,
    {
      cause,
    },
  );
}
