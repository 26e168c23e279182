import { kindToJSON, stageToJSON } from '../../gen/cohort/v1/coordinator.js';
import type { Join, MemberMessage } from '../../gen/cohort/v1/coordinator.js';
import { MAX_MEMBERS } from '../manifest.js';
import { checkName } from '../names.js';
import type { ConnId } from '../protocol/effects.js';
import type { JoinFields, StreamInput } from '../protocol/inputs.js';
import {
  badField,
  epochOf,
  known,
  type Malformed,
  nameList,
  text,
  wellFormed,
  whole,
} from './checks.js';
import { KIND_FROM_WIRE, STAGE_FROM_WIRE } from './enums.js';
import { MAX_PATH_CHARS, MAX_REASON_CHARS } from './limits.js';
import { optional } from './optional.js';

/** Checks one decoded message from a member stream, field by field; errors name the field. */
export function decodeMemberMessage(message: MemberMessage | Malformed, conn: ConnId): StreamInput {
  const { seq, body } = wellFormed(message, 'message');
  if (body === undefined)
    throw badField('body', 'must be exactly one of join, arrive, vote, heartbeat, complete, fail');
  switch (body.$case) {
    case 'join':
      return { type: 'join', conn, seq, join: decodeJoin(body.value) };
    case 'arrive': {
      const stage = known(body.value.stage, 'arrive.stage', STAGE_FROM_WIRE, stageToJSON);
      return { type: 'arrive', conn, seq, epoch: epochOf(body.value.epoch, 'arrive.epoch'), stage };
    }
    case 'vote': {
      const reason = text(body.value.reason, 'vote.reason', MAX_REASON_CHARS);
      const epoch = epochOf(body.value.epoch, 'vote.epoch');
      return { type: 'vote', conn, seq, epoch, ok: body.value.ok, ...optional({ reason }) };
    }
    case 'heartbeat':
      return { type: 'heartbeat', conn, seq, epoch: epochOf(body.value.epoch, 'heartbeat.epoch') };
    case 'complete': {
      const { epoch, ok, imageLocation, reason } = body.value;
      return {
        type: 'complete',
        conn,
        seq,
        epoch: epochOf(epoch, 'complete.epoch'),
        ok,
        ...optional({
          imageLocation: text(imageLocation, 'complete.imageLocation', MAX_PATH_CHARS),
          reason: text(reason, 'complete.reason', MAX_REASON_CHARS),
        }),
      };
    }
    case 'fail': {
      const epoch = epochOf(body.value.epoch, 'fail.epoch');
      const reason = text(body.value.reason, 'fail.reason', MAX_REASON_CHARS) ?? 'no reason given';
      return { type: 'fail', conn, seq, epoch, reason };
    }
  }
}

function decodeJoin(wire: Join): JoinFields {
  const group = checkName(wire.group, 'join.group');
  const member = checkName(wire.member, 'join.member');
  const kind = known(wire.kind, 'join.kind', KIND_FROM_WIRE, kindToJSON);
  const join: JoinFields = { group, member, kind };
  if (wire.declaredSize !== undefined)
    join.declaredSize = whole(wire.declaredSize, 'join.declaredSize', { min: 1, max: MAX_MEMBERS });
  const declaredMembers = nameList(wire.declaredMembers, 'join.declaredMembers');
  if (declaredMembers !== undefined) {
    if (!declaredMembers.includes(member))
      throw badField('join.declaredMembers', `does not include the joining member ${member}`);
    join.declaredMembers = declaredMembers;
  }
  const checkpointEpoch =
    wire.checkpointEpoch === undefined
      ? undefined
      : whole(wire.checkpointEpoch, 'join.checkpointEpoch', {
          min: 1,
          max: Number.MAX_SAFE_INTEGER,
        });
  if (kind === 'restore') {
    if (checkpointEpoch === undefined)
      throw badField(
        'join.checkpointEpoch',
        'is required for a restore: name the checkpoint epoch being restored',
      );
    join.checkpointEpoch = checkpointEpoch;
  }
  const heartbeatMs = whole(wire.heartbeatMs, 'join.heartbeatMs', { min: 0, max: 60_000 });
  if (heartbeatMs > 0) join.heartbeatMs = heartbeatMs;
  const imageLocation = text(wire.imageLocation, 'join.imageLocation', MAX_PATH_CHARS);
  if (imageLocation !== undefined) join.imageLocation = imageLocation;
  return join;
}
