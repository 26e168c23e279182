import type { ConnId } from '../protocol/effects.js';
import type { JoinFields, StreamInput } from '../protocol/inputs.js';
import { MAX_MEMBERS } from '../manifest.js';
import { KIND_FROM_WIRE, STAGE_FROM_WIRE } from './enums.js';
import {
  badField,
  bool,
  enumValue,
  epochOf,
  MAX_PATH_CHARS,
  MAX_REASON_CHARS,
  name,
  names,
  objectAt,
  optionalString,
  whole,
  type Raw,
} from './fields.js';

const BODIES = ['join', 'arrive', 'vote', 'heartbeat', 'complete', 'fail'] as const;

/** Validates one message from a member stream, field by field; errors name the field. */
export function decodeMemberMessage(value: unknown, conn: ConnId): StreamInput {
  const raw = objectAt(value, 'message');
  const seq = whole(raw, 'seq', 'seq', { min: 0, max: 0xffffffff }) ?? 0;
  const present = BODIES.filter((key) => raw[key] !== undefined && raw[key] !== null);
  const [body] = present;
  if (body === undefined || present.length > 1) {
    throw badField('body', `must be exactly one of ${BODIES.join(', ')}`);
  }
  const fields = objectAt(raw[body], body);
  switch (body) {
    case 'join':
      return { type: 'join', conn, seq, join: decodeJoin(fields) };
    case 'arrive':
      return {
        type: 'arrive',
        conn,
        seq,
        epoch: epochOf(fields, 'arrive.epoch'),
        stage: enumValue(fields, 'stage', 'arrive.stage', STAGE_FROM_WIRE),
      };
    case 'vote': {
      const reason = optionalString(fields, 'reason', 'vote.reason', MAX_REASON_CHARS);
      return {
        type: 'vote',
        conn,
        seq,
        epoch: epochOf(fields, 'vote.epoch'),
        ok: bool(fields, 'ok', 'vote.ok'),
        ...(reason === undefined ? {} : { reason }),
      };
    }
    case 'heartbeat':
      return { type: 'heartbeat', conn, seq, epoch: epochOf(fields, 'heartbeat.epoch') };
    case 'complete': {
      const imageLocation = optionalString(
        fields,
        'imageLocation',
        'complete.imageLocation',
        MAX_PATH_CHARS,
      );
      const reason = optionalString(fields, 'reason', 'complete.reason', MAX_REASON_CHARS);
      return {
        type: 'complete',
        conn,
        seq,
        epoch: epochOf(fields, 'complete.epoch'),
        ok: bool(fields, 'ok', 'complete.ok'),
        ...(imageLocation === undefined ? {} : { imageLocation }),
        ...(reason === undefined ? {} : { reason }),
      };
    }
    case 'fail':
      return {
        type: 'fail',
        conn,
        seq,
        epoch: epochOf(fields, 'fail.epoch'),
        reason:
          optionalString(fields, 'reason', 'fail.reason', MAX_REASON_CHARS) ?? 'no reason given',
      };
  }
}

function decodeJoin(raw: Raw): JoinFields {
  const join: JoinFields = {
    group: name(raw, 'group', 'join.group'),
    member: name(raw, 'member', 'join.member'),
    kind: enumValue(raw, 'kind', 'join.kind', KIND_FROM_WIRE),
  };
  const declaredSize = whole(raw, 'declaredSize', 'join.declaredSize', {
    min: 1,
    max: MAX_MEMBERS,
  });
  if (declaredSize !== undefined) join.declaredSize = declaredSize;
  const declaredMembers = names(raw, 'declaredMembers', 'join.declaredMembers');
  if (declaredMembers !== undefined) {
    if (!declaredMembers.includes(join.member)) {
      throw badField('join.declaredMembers', `does not include the joining member ${join.member}`);
    }
    join.declaredMembers = declaredMembers;
  }
  const checkpointEpoch = whole(raw, 'checkpointEpoch', 'join.checkpointEpoch', {
    min: 1,
    max: Number.MAX_SAFE_INTEGER,
  });
  if (join.kind === 'restore') {
    if (checkpointEpoch === undefined) {
      throw badField(
        'join.checkpointEpoch',
        'is required for a restore: name the checkpoint epoch being restored',
      );
    }
    join.checkpointEpoch = checkpointEpoch;
  }
  const heartbeatMs = whole(raw, 'heartbeatMs', 'join.heartbeatMs', { min: 0, max: 60_000 });
  if (heartbeatMs !== undefined && heartbeatMs > 0) join.heartbeatMs = heartbeatMs;
  const imageLocation = optionalString(raw, 'imageLocation', 'join.imageLocation', MAX_PATH_CHARS);
  if (imageLocation !== undefined) join.imageLocation = imageLocation;
  return join;
}
