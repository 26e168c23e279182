import type { AbortKind } from './effects.js';
import type { Ctx } from './context.js';
import { record } from './history.js';
import { enterStage, imageLocations, liveConns, memberList, type Round } from './state.js';

/**
 * Ends a round before its commit: the abort is persisted, then every member hears the same
 * reason and culprit. `asDecision` marks a failed vote, announced as a decision.
 */
export function abortRound(
  ctx: Ctx,
  round: Round,
  abortKind: AbortKind,
  reason: string,
  culprit?: string,
  asDecision = false,
): void {
  const { state, now, fx } = ctx;
  round.decision = { commit: false, at: now };
  record(ctx, {
    type: 'round-decided',
    at: now,
    group: round.group,
    epoch: round.epoch,
    commit: false,
    reason,
    ...(culprit === undefined ? {} : { culprit }),
    members: memberList(round),
    imageLocations: {},
    stageDurationsMs: round.stageDurationsMs,
  });
  const base = { epoch: round.epoch, reason, ...(culprit === undefined ? {} : { culprit }) };
  fx.broadcast(
    liveConns(round),
    asDecision ? { type: 'decision', commit: false, ...base } : { type: 'abort', ...base },
  );
  fx.event({
    type: 'round-aborted',
    group: round.group,
    epoch: round.epoch,
    kind: round.kind,
    abortKind,
    reason,
    ...(culprit === undefined ? {} : { culprit }),
  });
  state.open.delete(round.group);
}

/** Every vote is in and ok: persist the commit, then announce it. */
export function commitRound(ctx: Ctx, round: Round): void {
  const { now, fx } = ctx;
  enterStage(
    round,
    'vote',
    now,
    round.kind === 'restore' ? round.deadlines.resumeMs : round.deadlines.completeMs,
  );
  round.decision = { commit: true, at: now };
  round.phase = round.kind === 'restore' ? 'resuming' : 'completing';
  record(ctx, {
    type: 'round-decided',
    at: now,
    group: round.group,
    epoch: round.epoch,
    commit: true,
    members: memberList(round),
    imageLocations: imageLocations(round),
    stageDurationsMs: round.stageDurationsMs,
  });
  fx.broadcast(liveConns(round), { type: 'decision', epoch: round.epoch, commit: true });
  fx.event({ type: 'round-committed', group: round.group, epoch: round.epoch, kind: round.kind });
}

/** After a commit, once every member has reported (or the deadline passed): permanent or not. */
export function closeRound(ctx: Ctx, round: Round, missing?: string): void {
  const { state, now, fx } = ctx;
  round.stageDurationsMs.complete = now - round.stageStartedAt;
  const failure =
    round.lateFailure ??
    (missing === undefined
      ? undefined
      : {
          reason: `committed but not permanent: member ${missing} did not report completion within ${round.deadlines.completeMs} ms`,
          culprit: missing,
        });
  const permanent = failure === undefined;
  const locations = imageLocations(round);
  record(ctx, {
    type: 'round-closed',
    at: now,
    group: round.group,
    epoch: round.epoch,
    permanent,
    ...(failure === undefined ? {} : failure),
    members: memberList(round),
    imageLocations: locations,
    stageDurationsMs: round.stageDurationsMs,
  });
  fx.event({
    type: 'round-closed',
    group: round.group,
    epoch: round.epoch,
    permanent,
    ...(failure === undefined ? {} : { reason: failure.reason }),
    stageDurationsMs: { ...round.stageDurationsMs },
  });
  state.open.delete(round.group);
}
