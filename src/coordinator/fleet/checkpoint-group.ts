import { CohortError, ErrorCode, toCohortError } from '../../core/errors.js';
import type { CommandResult } from '../../gen/cohort/v1/agent.js';
import type { CriuOptions, StoredCheckpointRecord, StoredMemberRecord } from '../types.js';
import { criuToWire, storedMemberFromWire, storedToWire } from '../wire/records.js';
import type { FleetContext } from './context.js';
import type { OperationOutcome } from './outcome.js';
import { byNode, locateForCheckpoint, type LocatedMember } from './placement.js';

export interface CheckpointPlan {
  group: string;
  /** Where to store the committed checkpoint; none: it stays on the nodes. */
  store?: string;
  keep: number;
  options: CriuOptions;
}

/**
 * One group checkpoint: the round is opened for the members the agents report, each node's agent
 * checkpoints its members (the members join the round as their runtime runs CRIU) and uploads
 * each archive straight to the store; once every member's archive is in, one agent makes the
 * checkpoint stored (the store's commit point) and cohortd records it.
 */
export async function checkpointGroup(
  fleet: FleetContext,
  plan: CheckpointPlan,
): Promise<OperationOutcome> {
  const started = fleet.clock();
  const located = locateForCheckpoint(
    plan.group,
    fleet.registry.membersOf(plan.group),
    fleet.registry.list(),
  );
  const members = located.map((l) => l.member.member);
  const placements = Object.fromEntries(located.map((l) => [l.member.member, l.node]));
  if (plan.store !== undefined) {
    const refused = await checkStore(fleet, plan.group, plan.store, [...byNode(located).keys()]);
    if (refused !== undefined) {
      // No round was opened (epoch 0): every member runs on as it did.
      return {
        group: plan.group,
        kind: 'checkpoint',
        epoch: 0,
        placements,
        outcome: 'aborted',
        reason: refused.message,
        errorCode: refused.errorCode || ErrorCode.Store,
        durationMs: fleet.clock() - started,
      };
    }
  }
  const { epoch, end } = await fleet.openRound({ group: plan.group, kind: 'checkpoint', members });
  const base = { group: plan.group, kind: 'checkpoint' as const, epoch, placements };
  const results = await Promise.all(
    [...byNode(located)].map(([node, here]) => dispatch(fleet, node, here, epoch, plan)),
  );
  const roundEnd = await end;
  const durationMs = () => fleet.clock() - started;
  const failed = results.find((r) => !r.ok);
  if (roundEnd.outcome !== 'permanent') {
    // An engine's or a store's refusal is why the round ended: its code is the operation's.
    const errorCode = failed?.errorCode || ErrorCode.Aborted;
    return { ...base, ...roundEnd, errorCode, durationMs: durationMs() };
  }
  if (plan.store === undefined) return { ...base, outcome: 'permanent', durationMs: durationMs() };
  if (failed !== undefined) {
    return {
      ...base,
      outcome: 'permanent',
      reason: `committed but not stored: ${failed.message}`,
      errorCode: failed.errorCode || ErrorCode.Store,
      ...(failed.culprit === '' ? {} : { culprit: failed.culprit }),
      durationMs: durationMs(),
    };
  }
  const stored = storedMembers(results, located);
  const checkpoint: StoredCheckpointRecord = {
    group: plan.group,
    epoch,
    location: plan.store,
    createdAt: new Date(fleet.clock()).toISOString(),
    members: stored,
  };
  try {
    await publish(fleet, checkpoint, plan.keep, located[0]?.node ?? '');
  } catch (error) {
    const cause = toCohortError(error);
    return {
      ...base,
      outcome: 'permanent',
      reason: `committed but not stored: ${cause.message}`,
      errorCode: cause.code,
      durationMs: durationMs(),
    };
  }
  return { ...base, outcome: 'stored', stored: checkpoint, durationMs: durationMs() };
}

/**
 * Every node that will upload reads the store first: a store it cannot reach, that refuses its
 * credentials, or that holds another group's checkpoints fails the checkpoint before any member
 * is dumped (without --leave-running a dump stops the members: nothing would be left running or
 * stored). An empty store is fine. Returns the first refusal.
 */
async function checkStore(
  fleet: FleetContext,
  group: string,
  location: string,
  nodes: readonly string[],
): Promise<CommandResult | undefined> {
  const results = await Promise.all(
    nodes.map((node) =>
      fleet.registry
        .send(node, { $case: 'read', value: { group, location } })
        .catch((error: unknown) => failure(toCohortError(error), '')),
    ),
  );
  return results.find((r) => !r.ok && r.errorCode !== ErrorCode.StoreNotFound);
}

/** One node's part: its members' engine checkpoints and uploads. A failure aborts the round. */
async function dispatch(
  fleet: FleetContext,
  node: string,
  here: readonly LocatedMember[],
  epoch: number,
  plan: CheckpointPlan,
): Promise<CommandResult> {
  let result: CommandResult;
  try {
    result = await fleet.registry.send(node, {
      $case: 'checkpoint',
      value: {
        group: plan.group,
        epoch,
        members: here.map((l) => l.member.member),
        options: criuToWire(plan.options),
        store: plan.store ?? '',
      },
    });
  } catch (error) {
    const cause = toCohortError(error);
    result = failure(cause, here[0]?.member.member ?? '');
  }
  // Before the decision this aborts the round for every member; after it, it changes nothing.
  if (!result.ok)
    await fleet.abortRound(
      plan.group,
      epoch,
      `node ${node}: ${result.message}`,
      result.culprit || undefined,
    );
  return result;
}

/** The store's commit point, by the agent of the first member's node; then cohortd records it. */
async function publish(
  fleet: FleetContext,
  checkpoint: StoredCheckpointRecord,
  keep: number,
  node: string,
): Promise<void> {
  const result = await fleet.registry.send(node, {
    $case: 'publish',
    value: { checkpoint: storedToWire(checkpoint), keep },
  });
  if (!result.ok) {
    throw new CohortError((result.errorCode as ErrorCode) || ErrorCode.Store, result.message, {
      details: { node },
    });
  }
  await fleet.runner.mutate((m, now) => ({
    value: undefined,
    effects: m.recordStored(checkpoint, now),
  }));
  const pruned = result.pruned;
  await fleet.runner.mutate((m, now) => ({
    value: undefined,
    effects: m.recordPruned(checkpoint.group, checkpoint.location, pruned, now),
  }));
}

function storedMembers(
  results: readonly CommandResult[],
  located: readonly LocatedMember[],
): StoredMemberRecord[] {
  const where = new Map(located.map((l) => [l.member.member, l]));
  return results
    .flatMap((r) => r.stored.map(storedMemberFromWire))
    .map((m) => ({ ...m, engine: where.get(m.member)?.member.engine ?? m.engine ?? 'podman' }))
    .sort((a, b) => a.member.localeCompare(b.member));
}

function failure(error: CohortError, culprit: string): CommandResult {
  return {
    commandId: 0,
    ok: false,
    errorCode: error.code,
    message: error.message,
    culprit,
    stored: [],
    pruned: [],
    checkpoint: undefined,
  };
}
