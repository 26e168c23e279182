import type { CoordinatorClient } from '../coordinator/client.js';
import type { RoundKind, RoundRecord } from '../coordinator/types.js';
import { CohortError, ErrorCode, isCohortError } from '../core/errors.js';
import type { CliContext } from './context.js';
import { reasonOf } from './format-history.js';
import { failureReason, runPodman, type Podman } from '../engines/podman/run.js';
import { followRound } from '../coordinator/client/follow-round.js';
import { ProgressView } from './progress/progress-view.js';
import { STAGE_ORDER } from './stage-labels.js';
import { formatDuration, formatTable } from './table.js';

/** One member's engine command within a group operation. */
export interface MemberTask {
  member: string;
  label: string;
  podmanArgs: string[];
  /** Shown in the summary on success: the archive written, the container restored. */
  produces?: string;
}

export interface GroupOperation {
  kind: RoundKind;
  group: string;
  client: CoordinatorClient;
  podman: Podman;
  tasks: readonly MemberTask[];
  /** The group's last epoch before the operation: newer rounds are this operation's. */
  afterEpoch: number;
  intervalMs: number;
}

interface TaskResult {
  task: MemberTask;
  ok: boolean;
  reason?: string;
}

/**
 * Runs every member's podman command at once, following the coordinator's round on a progress
 * line per member, then prints a summary. Fails (exit 1) naming the culprit when any member failed.
 * Nothing is killed or undone here: the coordinated round resumes or aborts every member itself.
 */
export async function runGroupOperation(
  context: CliContext,
  operation: GroupOperation,
): Promise<void> {
  const { io } = context;
  io.out(`${operation.kind} of group ${operation.group}: ${operation.tasks.length} members\n`);
  const view = new ProgressView(io, operation.tasks);
  const follower = followRound({
    client: operation.client,
    group: operation.group,
    afterEpoch: operation.afterEpoch,
    intervalMs: operation.intervalMs,
    onRound: (round) => view.round(round),
  });
  const results = await Promise.all(
    operation.tasks.map(async (task): Promise<TaskResult> => {
      const outcome = await runTask(operation.podman, task);
      view.finish(task.member, outcome.ok ? 'ok' : `failed: ${outcome.reason ?? ''}`);
      return outcome;
    }),
  );
  await follower.stop();
  const round = await latestRound(operation);
  io.out(summary(operation, results, round));
  const failed = results.filter((result) => !result.ok);
  if (failed.length > 0) throw failure(operation, failed, round);
  if (round === undefined) {
    io.err(
      `cohortctl: warning: the coordinator saw no ${operation.kind} round of group ${operation.group}: were these containers created with cohort as their runtime?\n`,
    );
  }
}

async function runTask(podman: Podman, task: MemberTask): Promise<TaskResult> {
  try {
    const result = await runPodman(podman, task.podmanArgs);
    return result.exitCode === 0
      ? { task, ok: true }
      : { task, ok: false, reason: failureReason(result.stderr) };
  } catch (error) {
    return { task, ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

async function latestRound(operation: GroupOperation): Promise<RoundRecord | undefined> {
  let rounds: RoundRecord[];
  try {
    rounds = await operation.client.history(operation.group);
  } catch (error) {
    // A group declared only by its containers is unknown until a round opens: none did.
    if (isCohortError(error, ErrorCode.UnknownGroup)) return undefined;
    throw error;
  }
  return rounds
    .filter((round) => round.epoch > operation.afterEpoch && round.kind === operation.kind)
    .sort((a, b) => b.epoch - a.epoch)[0];
}

function summary(
  operation: GroupOperation,
  results: readonly TaskResult[],
  round: RoundRecord | undefined,
): string {
  const head =
    round === undefined
      ? `${operation.kind} of group ${operation.group}: no coordinated round recorded`
      : `${operation.kind} of group ${operation.group}: ${round.outcome} at epoch ${round.epoch}${stageTimes(round)}`;
  const rows = results.map((result) => [
    result.task.member,
    result.task.label,
    result.ok ? 'ok' : 'failed',
    result.ok ? (result.task.produces ?? '') : (result.reason ?? ''),
  ]);
  return `${head}\n${formatTable(['MEMBER', 'CONTAINER', 'RESULT', ''], rows)}`;
}

function stageTimes(round: RoundRecord): string {
  const parts = STAGE_ORDER.filter((stage) => round.stageDurationsMs[stage] !== undefined).map(
    (stage) => `${stage} ${formatDuration(round.stageDurationsMs[stage])}`,
  );
  return parts.length === 0 ? '' : ` (${parts.join(', ')})`;
}

function failure(
  operation: GroupOperation,
  failed: readonly TaskResult[],
  round: RoundRecord | undefined,
): CohortError {
  const first = failed[0];
  const where = round === undefined ? '' : ` at epoch ${round.epoch}`;
  const why =
    round !== undefined && (round.culprit !== undefined || round.reason !== undefined)
      ? reasonOf(round)
      : `culprit ${first?.task.member ?? '?'} (${first?.task.label ?? '?'}): ${first?.reason ?? 'failed'}`;
  return new CohortError(
    ErrorCode.Aborted,
    `${operation.kind} of group ${operation.group} failed${where}: ${why}`,
    {
      details: { group: operation.group, culprit: round?.culprit ?? first?.task.member },
    },
  );
}
