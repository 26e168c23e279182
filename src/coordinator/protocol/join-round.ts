import { CohortError, ErrorCode } from '../../core/errors.js';
import type { Ctx } from './context.js';
import type { ConnId, OutMessage } from './effects.js';
import type { JoinFields } from './inputs.js';
import { declarationMismatch, listNames, nameSet, notMember } from './member-set.js';
import { abortRound } from './outcome.js';
import { enterStage, memberList, type Round } from './state.js';

/** A join to the open round: refused (round unaffected), a mismatch (round aborted), or a member. */
export function joinRound(ctx: Ctx, round: Round, conn: ConnId, join: JoinFields): void {
  const { state, now, fx } = ctx;
  const existing = round.members.get(join.member);
  if (existing !== undefined) {
    refuse(
      ctx,
      conn,
      join,
      new CohortError(
        ErrorCode.DuplicateMember,
        `member ${join.member} already joined round ${round.epoch} of group ${join.group} from another session; give each container its own member name`,
        { details: { group: join.group, member: join.member, epoch: round.epoch } },
      ),
    );
    return;
  }
  if (round.names !== undefined && !nameSet(round.names).has(join.member)) {
    refuse(ctx, conn, join, notMember(join.group, join.member, round.names));
    return;
  }
  if (round.names === undefined && round.members.size >= round.expected) {
    refuse(
      ctx,
      conn,
      join,
      new CohortError(
        ErrorCode.NotMember,
        `round ${round.epoch} of group ${join.group} already has its ${round.expected} members (${listNames([...round.members.keys()])}); member ${join.member} is one too many`,
        { details: { group: join.group, member: join.member, epoch: round.epoch } },
      ),
    );
    return;
  }
  const mismatch =
    declarationMismatch(round, join) ??
    (round.kind === 'restore' && join.checkpointEpoch !== round.checkpointEpoch
      ? `member ${join.member} restores checkpoint epoch ${join.checkpointEpoch} but the round restores ${round.checkpointEpoch}`
      : undefined);
  if (mismatch !== undefined) {
    abortRound(ctx, round, 'mismatch', mismatch, join.member);
    refuse(
      ctx,
      conn,
      join,
      new CohortError(
        ErrorCode.Aborted,
        `round ${round.epoch} of group ${join.group} aborted: ${mismatch}`,
        {
          details: {
            group: join.group,
            epoch: round.epoch,
            reason: mismatch,
            culprit: join.member,
          },
        },
      ),
    );
    return;
  }
  if (round.names === undefined && join.declaredMembers !== undefined) {
    const declared = new Set(join.declaredMembers);
    const stray = [...round.members.keys()].find((name) => !declared.has(name));
    if (stray !== undefined) {
      const reason = `member ${join.member} declares members ${listNames(join.declaredMembers)}, which leaves out ${stray}`;
      abortRound(ctx, round, 'mismatch', reason, join.member);
      refuse(
        ctx,
        conn,
        join,
        new CohortError(
          ErrorCode.Aborted,
          `round ${round.epoch} of group ${join.group} aborted: ${reason}`,
          {
            details: { group: join.group, epoch: round.epoch, reason, culprit: join.member },
          },
        ),
      );
      return;
    }
    round.names = join.declaredMembers;
  }
  const heartbeatTimeoutMs = Math.max(
    round.deadlines.heartbeatTimeoutMs,
    3 * (join.heartbeatMs ?? 0),
  );
  round.members.set(join.member, {
    name: join.member,
    conn,
    stage: 'joined',
    lastSeen: now,
    heartbeatTimeoutMs,
    resumeSettled: false,
    knowsMembers: false,
    ...(join.imageLocation === undefined ? {} : { imageLocation: join.imageLocation }),
  });
  round.heartbeatCheckAt = Math.min(round.heartbeatCheckAt, now + heartbeatTimeoutMs);
  state.conns.set(conn, { group: round.group, epoch: round.epoch, member: join.member });
  const member = round.members.get(join.member);
  if (member !== undefined) member.knowsMembers = memberList(round).length === round.expected;
  sendWelcome(ctx, round, conn);
  fx.event({ type: 'member-joined', group: round.group, epoch: round.epoch, member: join.member });
  if (round.members.size === round.expected) {
    round.names ??= [...round.members.keys()];
    enterStage(round, 'join', now, round.deadlines.readyMs);
  }
}

export function sendWelcome(ctx: Ctx, round: Round, conn: ConnId): void {
  const welcome: OutMessage = {
    type: 'welcome',
    epoch: round.epoch,
    roundId: round.roundId,
    kind: round.kind,
    members: memberList(round),
    expected: round.expected,
    deadlines: round.deadlines,
  };
  // Once the names are fixed every welcome is the same: one object, so it is encoded once.
  ctx.fx.send(conn, round.names === undefined ? welcome : (round.welcome ??= welcome));
}

export function refuse(ctx: Ctx, conn: ConnId, join: JoinFields, error: CohortError): void {
  ctx.fx.refuse(conn, error);
  ctx.fx.event({
    type: 'refused',
    group: join.group,
    member: join.member,
    code: error.code,
    message: error.message,
  });
}
