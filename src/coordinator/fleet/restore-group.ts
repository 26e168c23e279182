import { CohortError, ErrorCode, toCohortError } from '../../core/errors.js';
import type { CommandResult } from '../../gen/cohort/v1/agent.js';
import { place, type Placement } from '../rules/recovery.js';
import type { CriuOptions, StoredCheckpointRecord } from '../types.js';
import { criuToWire, storedFromWire, storedToWire } from '../wire/records.js';
import type { FleetContext } from './context.js';
import type { OperationOutcome } from './outcome.js';
import { byNode } from './placement.js';

export interface RestorePlan {
  group: string;
  /** The store to restore from. */
  from: string;
  /** The checkpoint's epoch; the latest stored when absent. */
  epoch?: number;
  options: CriuOptions;
  /** Where each member goes (a recovery decided it); otherwise its own node, or another. */
  placements?: readonly Placement[];
}

/**
 * Restores every member of a group from a stored checkpoint, all or none: the members that still
 * exist are removed first, the restore round is opened for the checkpoint's members, and each
 * target node's agent fetches (verifying each digest) and restores its members, which join the
 * round; no member resumes until every member is restored.
 */
export async function restoreGroup(
  fleet: FleetContext,
  plan: RestorePlan,
): Promise<OperationOutcome> {
  const started = fleet.clock();
  const checkpoint = await findCheckpoint(fleet, plan);
  const placements = plan.placements ?? placeMembers(fleet, checkpoint);
  await removeOld(fleet, plan.group);
  const members = checkpoint.members.map((m) => m.member);
  const { epoch, end } = await fleet.openRound({
    group: plan.group,
    kind: 'restore',
    members,
    checkpointEpoch: checkpoint.epoch,
  });
  const where = Object.fromEntries(placements.map((p) => [p.member, p.node]));
  const results = await Promise.all(
    [...byNode(placements)].map(([node, here]) =>
      dispatch(fleet, node, here, checkpoint, epoch, plan.options),
    ),
  );
  const roundEnd = await end;
  const failed = results.find((r) => !r.ok);
  const base = {
    group: plan.group,
    kind: 'restore' as const,
    epoch,
    placements: where,
    durationMs: fleet.clock() - started,
  };
  if (roundEnd.outcome === 'aborted') {
    return { ...base, ...roundEnd, errorCode: failed?.errorCode || ErrorCode.Aborted };
  }
  if (roundEnd.outcome === 'committed' || failed !== undefined) {
    const reason = roundEnd.outcome === 'committed' ? roundEnd.reason : undefined;
    return {
      ...base,
      outcome: 'committed',
      reason: failed?.message ?? reason ?? 'a member did not complete',
      errorCode: failed?.errorCode || ErrorCode.Engine,
    };
  }
  return { ...base, outcome: 'permanent', stored: checkpoint };
}

/** The checkpoint asked for: as cohortd recorded it, else as the store itself says (via an agent). */
async function findCheckpoint(
  fleet: FleetContext,
  plan: RestorePlan,
): Promise<StoredCheckpointRecord> {
  const recorded = await fleet.runner.query((m) => m.storedCheckpoints(plan.group));
  const known = recorded.find(
    (c) => c.location === plan.from && (plan.epoch === undefined || c.epoch === plan.epoch),
  );
  if (known !== undefined) return known;
  const reader = fleet.registry.list().find((n) => n.connected);
  if (reader === undefined) {
    throw new CohortError(
      ErrorCode.Unreachable,
      'no node agent is connected to read the store; start one',
      {
        details: { group: plan.group },
      },
    );
  }
  const result = await fleet.registry.send(reader.name, {
    $case: 'read',
    value: {
      group: plan.group,
      location: plan.from,
      ...(plan.epoch === undefined ? {} : { epoch: plan.epoch }),
    },
  });
  if (!result.ok || result.checkpoint === undefined) {
    throw new CohortError(
      (result.errorCode as ErrorCode) || ErrorCode.StoreNotFound,
      result.message,
      {
        details: { group: plan.group, location: plan.from },
      },
    );
  }
  return storedFromWire(result.checkpoint);
}

/** Each member on the node that reports it, while that node lives; else where its engine runs. */
function placeMembers(fleet: FleetContext, checkpoint: StoredCheckpointRecord): Placement[] {
  const reported = new Map(
    fleet.registry.membersOf(checkpoint.group).map((l) => [l.member.member, l]),
  );
  const nodes = fleet.registry
    .list()
    .map((n) => ({ name: n.name, alive: n.connected, engines: n.engines }));
  const views = checkpoint.members.map((m) => {
    const seen = reported.get(m.member);
    return {
      member: m.member,
      node: seen?.node ?? '',
      engine: m.engine ?? seen?.member.engine ?? 'podman',
      running: false,
    };
  });
  const placed = place(views, nodes);
  if ('homeless' in placed) {
    throw new CohortError(
      ErrorCode.NotFound,
      `no connected node can run member ${placed.homeless.member} (${placed.homeless.engine}) of group ${checkpoint.group}; start an agent on one`,
      { details: { group: checkpoint.group, member: placed.homeless.member } },
    );
  }
  return placed.list;
}

/** The group's containers that still exist are removed, so the restored ones take their names. */
async function removeOld(fleet: FleetContext, group: string): Promise<void> {
  const located = fleet.registry
    .membersOf(group)
    .filter((l) => fleet.registry.node(l.node)?.connected === true);
  await Promise.all(
    [...byNode(located)].map(async ([node, here]) => {
      const result = await fleet.registry.send(node, {
        $case: 'stop',
        value: { group, members: here.map((l) => l.member.member) },
      });
      if (!result.ok) {
        throw new CohortError(
          ErrorCode.Engine,
          `node ${node} could not remove the old members: ${result.message}`,
          {
            details: { group, node },
          },
        );
      }
    }),
  );
}

async function dispatch(
  fleet: FleetContext,
  node: string,
  here: readonly Placement[],
  checkpoint: StoredCheckpointRecord,
  epoch: number,
  options: CriuOptions,
): Promise<CommandResult> {
  const members = here.map((p) => {
    const stored = checkpoint.members.find((m) => m.member === p.member);
    return {
      member: p.member,
      engine: stored?.engine ?? 'podman',
      bundle: stored?.bundle ?? '',
      runcRoot: stored?.runcRoot ?? '',
      containerId: stored?.containerId ?? '',
    };
  });
  let result: CommandResult;
  try {
    result = await fleet.registry.send(node, {
      $case: 'restore',
      value: { checkpoint: storedToWire(checkpoint), members, options: criuToWire(options) },
    });
  } catch (error) {
    const cause = toCohortError(error);
    result = {
      commandId: 0,
      ok: false,
      errorCode: cause.code,
      message: cause.message,
      culprit: here[0]?.member ?? '',
      stored: [],
      pruned: [],
      checkpoint: undefined,
    };
  }
  if (!result.ok)
    await fleet.abortRound(
      checkpoint.group,
      epoch,
      `node ${node}: ${result.message}`,
      result.culprit || undefined,
    );
  return result;
}
