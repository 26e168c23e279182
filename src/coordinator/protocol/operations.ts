import { CohortError, ErrorCode } from '../../core/errors.js';
import { manifestSize } from '../manifest.js';
import type { GroupPolicy } from '../rules/policy.js';
import type { RecoveryRecord, RoundKind, StoredCheckpointRecord } from '../types.js';
import type { Ctx } from './context.js';
import { record } from './history.js';
import { declarationMismatch, listNames } from './member-set.js';
import { abortRound } from './outcome.js';
import { startRound } from './open-round.js';
import { historyRecord } from './state.js';

/**
 * A round the coordinator opens for the members it knows of (from its agents): the set is fixed
 * now, so every member's join must name itself in it. Refused while the group has a round open,
 * or when a manifest lists other members.
 */
export function openOperatorRound(
  ctx: Ctx,
  spec: { group: string; kind: RoundKind; members: string[]; checkpointEpoch?: number },
): number {
  const { state } = ctx;
  const open = state.open.get(spec.group);
  if (open !== undefined) {
    throw new CohortError(
      ErrorCode.RoundBusy,
      `group ${spec.group} has a ${open.kind} round (epoch ${open.epoch}) open; try again once it ends`,
      { details: { group: spec.group, epoch: open.epoch } },
    );
  }
  const names = [...spec.members].sort();
  const manifest = state.groups.get(spec.group);
  if (manifest !== undefined) {
    const problem =
      manifest.members === undefined
        ? manifestSize(manifest) === names.length
          ? undefined
          : `the manifest says ${manifestSize(manifest)} members but ${names.length} run (${listNames(names)})`
        : declarationMismatch(
            { names: manifest.members, expected: manifest.members.length },
            {
              group: spec.group,
              member: names[0] ?? '',
              kind: spec.kind,
              declaredMembers: names,
            },
          );
    if (problem !== undefined) {
      throw new CohortError(
        ErrorCode.Manifest,
        `group ${spec.group}: ${problem}; start the missing members or fix the manifest`,
        {
          details: { group: spec.group },
        },
      );
    }
  }
  const round = startRound(ctx, {
    group: spec.group,
    kind: spec.kind,
    set: { names, expected: names.length },
    ...(spec.checkpointEpoch === undefined ? {} : { checkpointEpoch: spec.checkpointEpoch }),
  });
  return round.epoch;
}

/** An agent could not take part (its engine failed before the member joined): abort for all. */
export function abortOperatorRound(
  ctx: Ctx,
  group: string,
  epoch: number,
  reason: string,
  culprit?: string,
): void {
  const round = ctx.state.open.get(group);
  if (round === undefined || round.epoch !== epoch || round.decision !== undefined) return;
  abortRound(ctx, round, 'member-failed', reason, culprit);
}

export function setPolicy(ctx: Ctx, group: string, policy: GroupPolicy): void {
  record(ctx, { type: 'policy-set', at: ctx.now, group, policy });
}

/**
 * A group checkpoint is stored only with every member of its round, each with a digest, and
 * only for a round that committed: nothing less is ever recorded as stored.
 */
export function recordStored(ctx: Ctx, checkpoint: StoredCheckpointRecord): void {
  const round = historyRecord(ctx.state, checkpoint.group, checkpoint.epoch);
  const stored = new Set(checkpoint.members.filter((m) => m.digest !== '').map((m) => m.member));
  const missing = round?.members.filter((member) => !stored.has(member)) ?? [];
  if (
    round === undefined ||
    round.outcome === 'open' ||
    round.outcome === 'aborted' ||
    missing.length > 0
  ) {
    throw new CohortError(
      ErrorCode.Store,
      `group ${checkpoint.group} epoch ${checkpoint.epoch} cannot be recorded as stored: ${round === undefined ? 'no such round' : missing.length > 0 ? `no archive of ${listNames(missing)}` : `the round is ${round.outcome}`}`,
      { details: { group: checkpoint.group, epoch: checkpoint.epoch } },
    );
  }
  record(ctx, { type: 'checkpoint-stored', at: ctx.now, checkpoint });
}

export function recordPruned(ctx: Ctx, group: string, location: string, epochs: number[]): void {
  if (epochs.length > 0)
    record(ctx, { type: 'checkpoints-pruned', at: ctx.now, group, location, epochs });
}

export function recordRecovery(ctx: Ctx, recovery: RecoveryRecord): void {
  record(ctx, { type: 'recovery', at: ctx.now, recovery });
}
