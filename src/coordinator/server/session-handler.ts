import type { ServerDuplexStream } from '@grpc/grpc-js';
import { CohortError, toCohortError } from '../../core/errors.js';
import type { CoordinatorMessage, MemberMessage } from '../../gen/cohort/v1/coordinator.js';
import { Malformed } from '../wire/checks.js';
import { decodeMemberMessage } from '../wire/decode-member.js';
import { encodeOut } from '../wire/encode.js';
import { toStatusObject } from '../wire/status-map.js';
import type { MachineRunner } from './machine-runner.js';
import { authorizeMember, identityOf } from './identity.js';
import type { Logger } from './logger.js';

/**
 * One member's bidirectional stream: every message is validated before the machine sees it; a
 * bad message gets an error on the stream (the round goes on), a refused join ends the stream.
 */
export function handleSession(
  runner: MachineRunner,
  logger: Logger,
  call: ServerDuplexStream<MemberMessage | Malformed, CoordinatorMessage | Buffer>,
): void {
  let closed = false;
  const finish = (status?: CohortError): void => {
    if (closed) return;
    closed = true;
    if (status === undefined) call.end();
    else call.emit('error', toStatusObject(status));
  };
  const conn = runner.openStream({
    write: (message) => {
      if (!closed) call.write(message);
    },
    fail: (error) => finish(error),
    end: () => finish(),
  });
  let joined = false;
  const drop = (reason: string): void => {
    closed = true;
    runner.closeStream(conn, reason);
  };
  let identity: ReturnType<typeof identityOf>;
  try {
    identity = identityOf(call);
  } catch (error) {
    finish(toCohortError(error));
    runner.closeStream(conn, 'refused');
    return;
  }
  call.on('data', (raw: MemberMessage | Malformed) => {
    if (closed) return;
    try {
      const input = decodeMemberMessage(raw, conn);
      if (input.type === 'join') {
        authorizeMember(identity, input.join.member);
        joined = true;
      }
      runner.receive(input);
    } catch (error) {
      const refusal = toCohortError(error);
      logger.warn(
        { code: refusal.code, message: refusal.message, peer: call.getPeer() },
        'message-refused',
      );
      if (!joined) {
        finish(refusal);
        runner.closeStream(conn, 'refused');
        return;
      }
      const seq = raw instanceof Malformed ? 0 : raw.seq;
      call.write(encodeOut({ type: 'error', seq, error: refusal }));
    }
  });
  call.on('end', () => {
    drop('the member closed its stream');
    if (!call.writableEnded) call.end();
  });
  call.on('cancelled', () => drop('the stream was cancelled (connection lost)'));
  call.on('error', (error: Error) => drop(`stream error: ${error.message}`));
}
