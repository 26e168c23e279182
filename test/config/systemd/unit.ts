import { hostname } from 'node:os';
import { readConfigFile } from '../paths.js';

export const COHORTD_UNIT = 'systemd/cohortd.service';
export const AGENT_UNIT = 'systemd/cohort-agent.service';

/** A unit file's sections, each a map of keys to their values in order (a key may repeat). */
export type Unit = Map<string, Map<string, string[]>>;

/** systemd's unit syntax: [Section], Key=Value, # or ; comments. */
export function readUnit(file: string): Unit {
  const sections: Unit = new Map();
  let current: Map<string, string[]> | undefined;
  readConfigFile(file)
    .split('\n')
    .forEach((raw, index) => {
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
        throw new Error(`${file}:${index + 1}: not a unit line: ${raw}`);
      const values = current.get(pair[1] ?? '') ?? [];
      values.push(pair[2] ?? '');
      current.set(pair[1] ?? '', values);
    });
  return sections;
}

/** The [Service] values of a key, in order; none when it is not set. */
export function serviceValues(unit: Unit, key: string): string[] {
  return unit.get('Service')?.get(key) ?? [];
}

/** The one value of a [Service] key, or undefined. */
export function serviceValue(unit: Unit, key: string): string | undefined {
  const values = serviceValues(unit, key);
  if (values.length > 1) throw new Error(`${key} is set ${values.length} times`);
  return values[0];
}

/** ExecStart as the words systemd runs, with %H (the host name) and %% expanded. */
export function execStart(unit: Unit): string[] {
  const line = serviceValue(unit, 'ExecStart') ?? '';
  if (/["'\\]/.test(line)) throw new Error(`ExecStart uses quoting this reader does not: ${line}`);
  return line
    .split(/\s+/)
    .filter((word) => word !== '')
    .map((word) => word.replaceAll('%H', hostname()).replaceAll('%%', '%'));
}

/** Environment= assignments as a record (NAME=value, unquoted). */
export function unitEnvironment(unit: Unit): Record<string, string> {
  return Object.fromEntries(
    serviceValues(unit, 'Environment').map((assignment) => {
      const at = assignment.indexOf('=');
      return [assignment.slice(0, at), assignment.slice(at + 1)];
    }),
  );
}
