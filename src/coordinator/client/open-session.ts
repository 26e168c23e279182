import type * as grpc from '@grpc/grpc-js';
import { CohortError, ErrorCode } from '../../core/errors.js';
import {
  type CoordinatorMessage,
  CoordinatorService,
  type Join,
} from '../../gen/cohort/v1/coordinator.js';
import type { JoinRequest, MemberSession } from '../client-types.js';
import { KIND_TO_WIRE } from '../wire/enums.js';
import { fromServiceError } from '../wire/status-map.js';
import { refusalOf } from './abort.js';
import { unreachable } from './channel.js';
import { DEFAULT_DEADLINES, mergeDeadlines } from '../deadlines.js';
import { optional } from '../wire/optional.js';
import { MemberSessionImpl } from './member-session.js';
import type { Replicas } from './replicas.js';

export interface OpenOptions {
  address: string;
  /** Every replica: after a lost stream, the decision is asked of whichever leads then. */
  replicas: Replicas;
  answerTimeoutMs: number;
  reconnectWindowMs: number;
}

const DEFAULT_HEARTBEAT_MS = 1_000;

/** Opens the member's stream and sends its join; resolves on the welcome, rejects on refusal. */
export function openMemberSession(
  client: grpc.Client,
  join: JoinRequest,
  o: OpenOptions,
): Promise<MemberSession> {
  const { path, requestSerialize, responseDeserialize } = CoordinatorService.session;
  const call = client.makeBidiStreamRequest(path, requestSerialize, responseDeserialize);
  const label = `join ${join.group}/${join.member} at ${o.address}`;
  return new Promise((resolve, reject) => {
    const settle = (error: CohortError | undefined, session?: MemberSession): void => {
      clearTimeout(timer);
      call.off('data', onData);
      call.off('error', onError);
      call.off('end', onEnd);
      if (error !== undefined) {
        call.on('error', () => undefined);
        call.cancel();
        reject(error);
      } else if (session !== undefined) resolve(session);
    };
    const timer = setTimeout(
      () => settle(unreachable(o.address, `no answer to the join within ${o.answerTimeoutMs} ms`)),
      o.answerTimeoutMs,
    );
    const onData = ({ body }: CoordinatorMessage): void => {
      if (body?.$case === 'welcome') {
        const { epoch, roundId, members } = body.value;
        const deadlines = mergeDeadlines(DEFAULT_DEADLINES, optional({ ...body.value.deadlines }));
        const heartbeatMs = join.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
        const recovery = {
          replicas: o.replicas,
          group: join.group,
          member: join.member,
          epoch,
          windowMs: o.reconnectWindowMs,
        };
        // The session attaches its listeners before ours go, so nothing on the stream is missed.
        const session = new MemberSessionImpl(
          call,
          epoch,
          roundId,
          members,
          deadlines,
          recovery,
          heartbeatMs,
        );
        settle(undefined, session);
      } else if (body?.$case === 'error') settle(refusalOf(body.value));
    };
    const onError = (error: grpc.ServiceError): void => {
      const cohort = fromServiceError(error, label);
      settle(
        cohort.code === ErrorCode.Unreachable
          ? unreachable(o.address, error.details || error.message, error)
          : cohort,
      );
    };
    const onEnd = (): void =>
      settle(new CohortError(ErrorCode.Protocol, `${label}: the stream ended without a welcome`));
    call.on('data', onData);
    call.on('error', onError);
    call.on('end', onEnd);
    call.write({ seq: 0, body: { $case: 'join', value: encodeJoin(join) } });
  });
}

function encodeJoin(join: JoinRequest): Join {
  return {
    ...join,
    kind: KIND_TO_WIRE[join.kind],
    declaredMembers: join.declaredMembers ?? [],
    heartbeatMs: join.heartbeatMs ?? 0,
    imageLocation: join.imageLocation ?? '',
  };
}
