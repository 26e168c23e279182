import type { OutMessage } from '../protocol/effects.js';
import type { DecisionLookup, GroupManifest, RoundRecord, StatusReply } from '../types.js';
import { KIND_TO_WIRE, STAGE_TO_WIRE } from './enums.js';
import { grpcStatusOf } from './status-map.js';

type Wire = Record<string, unknown>;

/** A message for a member stream, in the shape the loaded .proto expects. */
export function encodeOut(message: OutMessage): Wire {
  switch (message.type) {
    case 'welcome':
      return {
        welcome: {
          epoch: message.epoch,
          members: message.members,
          roundId: message.roundId,
          kind: KIND_TO_WIRE[message.kind],
          expected: message.expected,
        },
      };
    case 'release':
      return {
        release: {
          epoch: message.epoch,
          stage: STAGE_TO_WIRE[message.stage],
          members: message.members,
          forced: message.forced,
        },
      };
    case 'decision':
    case 'abort': {
      const { type, ...body } = message;
      return { [type]: body };
    }
    case 'ack':
      return { ack: { epoch: message.epoch, what: message.what } };
    case 'error':
      return {
        error: {
          seq: message.seq,
          code: message.error.code,
          message: message.error.message,
          status: grpcStatusOf(message.error),
          epoch: message.epoch ?? 0,
          detailsJson: JSON.stringify(message.error.details),
        },
      };
  }
}

export function encodeManifest(manifest: GroupManifest): Wire {
  return { ...manifest };
}

export function encodeRoundRecord(record: RoundRecord): Wire {
  return { ...record, kind: KIND_TO_WIRE[record.kind] };
}

export function encodeStatus(reply: StatusReply): Wire {
  return {
    ...reply,
    groups: reply.groups.map((group) => ({
      ...group,
      openRound:
        group.openRound === undefined
          ? undefined
          : { ...group.openRound, kind: KIND_TO_WIRE[group.openRound.kind] },
    })),
  };
}

export function encodeDecision(lookup: DecisionLookup): Wire {
  return lookup.state === 'decided'
    ? { state: 'decided', decision: lookup.decision }
    : { state: lookup.state };
}
