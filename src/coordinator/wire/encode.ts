import type * as wire from '../../gen/cohort/v1/coordinator.js';
import type { OutMessage } from '../protocol/effects.js';
import type { CompleteReport } from '../protocol/inputs.js';
import type { DecisionLookup, GroupManifest, RoundRecord, StatusReply } from '../types.js';
import { KIND_TO_WIRE, STAGE_TO_WIRE } from './enums.js';
import { grpcStatusOf } from './status-map.js';

/** A message for a member stream; proto3 has no absent string, so unset text goes as ''. */
export function encodeOut(message: OutMessage): wire.CoordinatorMessage {
  switch (message.type) {
    case 'welcome': {
      const { epoch, members, roundId, expected, deadlines } = message;
      const kind = KIND_TO_WIRE[message.kind];
      const value = { epoch, members, roundId, kind, expected, deadlines };
      return { body: { $case: 'welcome', value } };
    }
    case 'release': {
      const { epoch, members, forced } = message;
      const stage = STAGE_TO_WIRE[message.stage];
      return { body: { $case: 'release', value: { epoch, stage, members, forced } } };
    }
    case 'decision': {
      const { epoch, commit, reason = '', culprit = '' } = message;
      return { body: { $case: 'decision', value: { epoch, commit, reason, culprit } } };
    }
    case 'abort': {
      const { epoch, reason, culprit = '' } = message;
      return { body: { $case: 'abort', value: { epoch, reason, culprit } } };
    }
    case 'ack':
      return { body: { $case: 'ack', value: { epoch: message.epoch, what: message.what } } };
    case 'error': {
      const { code, message: text, details } = message.error;
      const value = {
        seq: message.seq,
        code,
        message: text,
        status: grpcStatusOf(message.error),
        epoch: message.epoch ?? 0,
        detailsJson: JSON.stringify(details),
      };
      return { body: { $case: 'error', value } };
    }
  }
}

/** A completion by unary call, from the member's side. */
export function encodeCompleteReport(report: CompleteReport): wire.CompleteReport {
  const { imageLocation = '', reason = '' } = report;
  return { ...report, imageLocation, reason };
}

export function encodeManifest(manifest: GroupManifest): wire.GroupManifest {
  const { name, members = [], size, deadlines } = manifest;
  return { name, members, size, deadlines };
}

export function encodeRoundRecord(record: RoundRecord): wire.RoundRecord {
  return {
    ...record,
    kind: KIND_TO_WIRE[record.kind],
    reason: record.reason ?? '',
    culprit: record.culprit ?? '',
    stageDurationsMs: { ...record.stageDurationsMs },
  };
}

export function encodeStatus(reply: StatusReply): wire.StatusReply {
  return {
    ...reply,
    groups: reply.groups.map(({ name, manifest, lastEpoch, openRound }) => ({
      name,
      lastEpoch,
      manifest: manifest === undefined ? undefined : encodeManifest(manifest),
      openRound:
        openRound === undefined ? undefined : { ...openRound, kind: KIND_TO_WIRE[openRound.kind] },
    })),
  };
}

export function encodeDecision(lookup: DecisionLookup): wire.DecisionReply {
  if (lookup.state !== 'decided') return { state: lookup.state, decision: undefined };
  const { reason = '', culprit = '' } = lookup.decision;
  return { state: 'decided', decision: { ...lookup.decision, reason, culprit } };
}
