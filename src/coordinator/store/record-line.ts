import { crc32 } from 'node:zlib';

const PREFIX = '{"crc":"';
const MIDDLE = '","record":';

/** One JSON line per record, its CRC32 over the record's exact JSON text: `{"crc":"…","record":…}`. */
export function encodeLine(record: unknown): string {
  const json = JSON.stringify(record);
  return `${PREFIX}${hex(crc32(json))}${MIDDLE}${json}}\n`;
}

/** The record's JSON text when the line is intact, else why not. */
export function decodeLine(line: string): { json: string } | { problem: string } {
  if (!line.startsWith(PREFIX) || !line.endsWith('}')) return { problem: 'not a record line' };
  const crc = line.slice(PREFIX.length, PREFIX.length + 8);
  if (line.slice(PREFIX.length + 8, PREFIX.length + 8 + MIDDLE.length) !== MIDDLE) {
    return { problem: 'not a record line' };
  }
  const json = line.slice(PREFIX.length + 8 + MIDDLE.length, -1);
  if (hex(crc32(json)) !== crc) return { problem: 'checksum mismatch' };
  return { json };
}

function hex(value: number): string {
  return value.toString(16).padStart(8, '0');
}
