import { validateManifest } from '../manifest.js';
import type { CompleteReport } from '../protocol/inputs.js';
import { DEADLINE_KEYS, MAX_DEADLINE_MS } from '../deadlines.js';
import type { Deadlines, GroupManifest } from '../types.js';
import {
  bool,
  epochOf,
  MAX_PATH_CHARS,
  MAX_REASON_CHARS,
  name,
  names,
  objectAt,
  optionalString,
  whole,
} from './fields.js';
import { MAX_MEMBERS } from '../manifest.js';

export function decodeManifest(value: unknown, field = 'manifest'): GroupManifest {
  const raw = objectAt(value, field);
  const manifest: GroupManifest = { name: name(raw, 'name', `${field}.name`) };
  const members = names(raw, 'members', `${field}.members`);
  if (members !== undefined) manifest.members = members;
  const size = whole(raw, 'size', `${field}.size`, { min: 0, max: MAX_MEMBERS });
  if (size !== undefined) manifest.size = size;
  if (raw.deadlines !== undefined && raw.deadlines !== null) {
    const wire = objectAt(raw.deadlines, `${field}.deadlines`);
    const deadlines: Partial<Deadlines> = {};
    for (const key of DEADLINE_KEYS) {
      const ms = whole(wire, key, `${field}.deadlines.${key}`, { min: 1, max: MAX_DEADLINE_MS });
      if (ms !== undefined) deadlines[key] = ms;
    }
    if (Object.keys(deadlines).length > 0) manifest.deadlines = deadlines;
  }
  return validateManifest(manifest);
}

export function decodeGroupRef(value: unknown): string {
  return name(objectAt(value, 'request'), 'name', 'name');
}

export function decodeStatusRequest(value: unknown): string | undefined {
  const raw = objectAt(value, 'request');
  return raw.group === undefined || raw.group === '' ? undefined : name(raw, 'group', 'group');
}

export function decodeDecisionRequest(value: unknown): { group: string; epoch: number } {
  const raw = objectAt(value, 'request');
  return { group: name(raw, 'group', 'group'), epoch: epochOf(raw, 'epoch') };
}

export function decodeCompleteReport(value: unknown): CompleteReport {
  const raw = objectAt(value, 'report');
  const report: CompleteReport = {
    group: name(raw, 'group', 'group'),
    epoch: epochOf(raw, 'epoch'),
    member: name(raw, 'member', 'member'),
    ok: bool(raw, 'ok', 'ok'),
  };
  const imageLocation = optionalString(raw, 'imageLocation', 'imageLocation', MAX_PATH_CHARS);
  if (imageLocation !== undefined) report.imageLocation = imageLocation;
  const reason = optionalString(raw, 'reason', 'reason', MAX_REASON_CHARS);
  if (reason !== undefined) report.reason = reason;
  return report;
}
