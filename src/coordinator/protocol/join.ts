import { CohortError, ErrorCode } from '../../core/errors.js';
import { mergeDeadlines } from '../deadlines.js';
import type { Ctx } from './context.js';
import type { ConnId, OutMessage } from './effects.js';
import type { JoinFields } from './inputs.js';
import {
  declarationMismatch,
  listNames,
  memberSetForNewRound,
  nameSet,
  notMember,
} from './member-set.js';
import { abortRound } from './outcome.js';
import { enterStage, historyRecord, memberList, putHistory, type Round } from './state.js';

/** A session's first message: opens the group's round or joins the one that is open. */
export function handleJoin(ctx: Ctx, conn: ConnId, seq: number, join: JoinFields): void {
  const { state, fx } = ctx;
  const bound = state.conns.get(conn);
  if (bound !== undefined) {
    const round = state.open.get(bound.group);
    if (
      bound.group === join.group &&
      bound.member === join.member &&
      round?.epoch === bound.epoch
    ) {
      sendWelcome(ctx, round, conn);
      return;
    }
    fx.send(conn, {
      type: 'error',
      seq,
      error: new CohortError(
        ErrorCode.Protocol,
        `this session already joined as ${bound.group}/${bound.member}; open a new session to join again`,
      ),
    });
    return;
  }
  const refusal = refusalFor(ctx, join);
  if (refusal !== undefined) {
    refuse(ctx, conn, join, refusal);
    return;
  }
  const round = state.open.get(join.group) ?? openRound(ctx, conn, join);
  if (round !== undefined) joinRound(ctx, round, conn, join);
}

function refusalFor(ctx: Ctx, join: JoinFields): CohortError | undefined {
  const { state } = ctx;
  if (state.closing) {
    return new CohortError(
      ErrorCode.Unreachable,
      'the coordinator is shutting down; retry once it is back',
    );
  }
  const round = state.open.get(join.group);
  if (round !== undefined && round.kind !== join.kind) {
    return new CohortError(
      ErrorCode.RoundBusy,
      `group ${join.group} has a ${round.kind} round (epoch ${round.epoch}) open; a ${join.kind} can start once it ends`,
      { details: { group: join.group, epoch: round.epoch } },
    );
  }
  if (round !== undefined && round.decision !== undefined) {
    return new CohortError(
      ErrorCode.RoundBusy,
      `group ${join.group}'s round ${round.epoch} is decided and waiting for its members to complete; retry once it closes`,
      { details: { group: join.group, epoch: round.epoch } },
    );
  }
  if (round === undefined && join.kind === 'restore') return restoreRefusal(ctx, join);
  return undefined;
}

/** Only a permanent checkpoint may be restored; an epoch never seen here is the caller's word. */
function restoreRefusal(ctx: Ctx, join: JoinFields): CohortError | undefined {
  const epoch = join.checkpointEpoch;
  if (epoch === undefined) {
    return new CohortError(
      ErrorCode.BadMessage,
      'join.checkpointEpoch: a restore must name the checkpoint epoch it restores',
      {
        details: { field: 'join.checkpointEpoch' },
      },
    );
  }
  const record = historyRecord(ctx.state, join.group, epoch);
  if (record === undefined) return undefined;
  if (record.kind === 'checkpoint' && record.outcome === 'permanent') return undefined;
  const what =
    record.kind !== 'checkpoint'
      ? 'is a restore round, not a checkpoint'
      : `is recorded as not permanent (${record.outcome}${record.reason === undefined ? '' : `: ${record.reason}`})`;
  return new CohortError(
    ErrorCode.NotPermanent,
    `checkpoint epoch ${epoch} of group ${join.group} ${what}; restore a permanent checkpoint`,
    { details: { group: join.group, epoch } },
  );
}

function openRound(ctx: Ctx, conn: ConnId, join: JoinFields): Round | undefined {
  const { state, now, fx } = ctx;
  const manifest = state.groups.get(join.group);
  const set = memberSetForNewRound(manifest, join);
  if (set instanceof CohortError) {
    refuse(ctx, conn, join, set);
    return undefined;
  }
  const epoch = (state.lastEpoch.get(join.group) ?? 0) + 1;
  state.lastEpoch.set(join.group, epoch);
  const deadlines = mergeDeadlines(state.baseDeadlines, manifest?.deadlines);
  const round: Round = {
    group: join.group,
    epoch,
    roundId: `${join.group}-${epoch}-${now.toString(36)}`,
    kind: join.kind,
    openedAt: now,
    expected: set.expected,
    members: new Map(),
    phase: 'gathering',
    deadlines,
    deadlineAt: now + deadlines.joinMs,
    stageStartedAt: now,
    counts: { ready: 0, frozen: 0, voted: 0, resumeSettled: 0, done: 0 },
    heartbeatCheckAt: Infinity,
    stageDurationsMs: {},
  };
  if (set.names !== undefined) round.names = set.names;
  if (join.kind === 'restore' && join.checkpointEpoch !== undefined)
    round.checkpointEpoch = join.checkpointEpoch;
  state.open.set(join.group, round);
  fx.persist({
    type: 'round-opened',
    at: now,
    group: round.group,
    epoch,
    roundId: round.roundId,
    kind: round.kind,
    expected: round.expected,
    ...(round.names === undefined ? {} : { members: round.names }),
    ...(round.checkpointEpoch === undefined ? {} : { checkpointEpoch: round.checkpointEpoch }),
  });
  putHistory(state, {
    group: round.group,
    epoch,
    roundId: round.roundId,
    kind: round.kind,
    outcome: 'open',
    openedAt: now,
    members: memberList(round),
    imageLocations: {},
    stageDurationsMs: {},
    ...(round.checkpointEpoch === undefined ? {} : { checkpointEpoch: round.checkpointEpoch }),
  });
  fx.event({
    type: 'round-opened',
    group: round.group,
    epoch,
    kind: round.kind,
    expected: round.expected,
  });
  return round;
}

function joinRound(ctx: Ctx, round: Round, conn: ConnId, join: JoinFields): void {
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

function sendWelcome(ctx: Ctx, round: Round, conn: ConnId): void {
  const welcome: OutMessage = {
    type: 'welcome',
    epoch: round.epoch,
    roundId: round.roundId,
    kind: round.kind,
    members: memberList(round),
    expected: round.expected,
  };
  // Once the names are fixed every welcome is the same: one object, so it is encoded once.
  ctx.fx.send(conn, round.names === undefined ? welcome : (round.welcome ??= welcome));
}

function refuse(ctx: Ctx, conn: ConnId, join: JoinFields, error: CohortError): void {
  ctx.fx.refuse(conn, error);
  ctx.fx.event({
    type: 'refused',
    group: join.group,
    member: join.member,
    code: error.code,
    message: error.message,
  });
}
