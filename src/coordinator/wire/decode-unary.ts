import type * as wire from '../../gen/cohort/v1/coordinator.js';
import { checkName } from '../names.js';
import type { CompleteReport } from '../protocol/inputs.js';
import type { GroupManifest } from '../types.js';
import { epochOf, type Malformed, text, wellFormed } from './checks.js';
import { MAX_PATH_CHARS, MAX_REASON_CHARS } from './limits.js';
import { optional } from './optional.js';

/** Converts only: validateManifest is the one check a manifest gets, wherever it comes from. */
export function decodeManifest(message: wire.GroupManifest | Malformed): GroupManifest {
  const { name, members, size, deadlines } = wellFormed(message, 'manifest');
  const manifest: GroupManifest = { name };
  if (members.length > 0) manifest.members = [...members];
  if (size !== undefined) manifest.size = size;
  const set = optional({ ...deadlines });
  if (Object.keys(set).length > 0) manifest.deadlines = set;
  return manifest;
}

export function decodeGroupRef(message: wire.GroupRef | Malformed): string {
  return checkName(wellFormed(message, 'request').name, 'name');
}

/** The group asked about, or undefined for every group. */
export function decodeStatusRequest(message: wire.StatusRequest | Malformed): string | undefined {
  const { group } = wellFormed(message, 'request');
  return group === '' ? undefined : checkName(group, 'group');
}

export function decodeDecisionRequest(message: wire.DecisionRequest | Malformed): {
  group: string;
  epoch: number;
} {
  const { group, epoch } = wellFormed(message, 'request');
  return { group: checkName(group, 'group'), epoch: epochOf(epoch, 'epoch') };
}

export function decodeCompleteReport(message: wire.CompleteReport | Malformed): CompleteReport {
  const report = wellFormed(message, 'report');
  return {
    group: checkName(report.group, 'group'),
    epoch: epochOf(report.epoch, 'epoch'),
    member: checkName(report.member, 'member'),
    ok: report.ok,
    ...optional({
      imageLocation: text(report.imageLocation, 'imageLocation', MAX_PATH_CHARS),
      reason: text(report.reason, 'reason', MAX_REASON_CHARS),
    }),
  };
}
