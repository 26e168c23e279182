import type { MemberSession } from '../coordinator/client.js';
import { formatAddressList, toAddressList } from '../core/address-list.js';
import { CohortError, toCohortError } from '../core/errors.js';
import { writeImageManifest } from '../criu/image-manifest.js';
import type { RuncExit } from '../runc/exit.js';
import { readContainerState, resumeContainer } from '../runc/state.js';
import { answeredActions } from './action-plan.js';
import { hookTimeoutSeconds } from './hook-bound.js';
import { makeHookHandler, type RoundProgress } from './hook-handler.js';
import type { RuncLauncher } from './hook-service.js';
import type { SessionServices } from './session-services.js';
import { memberLabel, type SessionPlan } from './session-plan.js';

export interface SessionResult {
  exitCode: number;
  /** One clear line for the caller when the operation did not succeed. */
  error?: string;
  epoch?: number;
}

/**
 * One member's coordinated checkpoint or restore: join the round before runc starts, answer
 * the hook while it runs, then record the outcome at the coordinator.
 */
export async function runSession(
  plan: SessionPlan,
  services: SessionServices,
): Promise<SessionResult> {
  const joined = services
    .coordinator(plan.coordinator)
    .then((client) => client.openSession(plan.join));
  const session = await joined.catch((error: unknown) => {
    throw labelled(plan, error);
  });
  try {
    return await runJoined(plan, session, services.launcher);
  } finally {
    session.close();
  }
}

async function runJoined(
  plan: SessionPlan,
  session: MemberSession,
  launcher: RuncLauncher,
): Promise<SessionResult> {
  const progress: RoundProgress = { voted: false };
  const hook = {
    handler: makeHookHandler(plan.kind, session, progress),
    actions: answeredActions(plan.kind),
    timeoutSeconds: hookTimeoutSeconds(
      plan.kind,
      session.deadlines,
      plan.coordinator.reconnectWindowMs ?? 0,
    ),
  };
  let exit: RuncExit;
  try {
    exit = await launcher.run(hook, { captureStderr: plan.kind === 'checkpoint' });
  } catch (error) {
    session.fail(`runc ${plan.kind} did not run: ${toCohortError(error).message}`);
    throw error;
  }
  const label = `${plan.kind} of ${memberLabel(plan)}`;
  // The decision matters once CRIU reached the vote; before it, runc's own failure is the story.
  const decision = progress.voted ? session.outcome : undefined;
  const abort = session.outcome?.commit === false ? session.outcome : undefined;
  if (decision === undefined) {
    const reason =
      exit.exitCode === 0
        ? "CRIU finished without running cohort's action script"
        : `runc ${plan.kind} exited ${exit.exitCode} after ${progress.lastAction ?? 'start'}${runcReason(plan, exit)}`;
    session.fail(reason);
    await thawIfFrozen(plan);
    return {
      exitCode: exit.exitCode || 1,
      error: `${label} ${describeAbort(plan, abort, reason)}`,
      epoch: session.epoch,
    };
  }
  if (!decision.commit) {
    await thawIfFrozen(plan);
    return {
      exitCode: exit.exitCode || 1,
      error: `${label} ${describeAbort(plan, abort, decision.reason ?? 'aborted')}`,
      epoch: session.epoch,
    };
  }
  if (exit.exitCode !== 0) {
    const reason = `runc ${plan.kind} exited ${exit.exitCode} after the group committed${exit.stderrTail ? `: ${exit.stderrTail}` : ''}`;
    await session.complete({ ok: false, reason });
    await thawIfFrozen(plan);
    return { exitCode: exit.exitCode, error: `${label} failed: ${reason}`, epoch: session.epoch };
  }
  if (plan.kind === 'checkpoint') {
    writeImageManifest(plan.imagePath, {
      format: 1,
      group: plan.group,
      member: plan.member,
      epoch: session.epoch,
      members: [...session.members],
      round: session.roundId,
      coordinator: formatAddressList(toAddressList(plan.coordinator.address)),
      containerId: plan.containerId,
      cohortVersion: plan.cohortVersion,
      createdAt: new Date().toISOString(),
    });
  }
  await session.complete({ ok: true, imageLocation: plan.imagePath });
  return { exitCode: 0, epoch: session.epoch };
}

/** runc's own last words, or where CRIU's log is when runc's stderr went to the container. */
function runcReason(plan: SessionPlan, exit: RuncExit): string {
  if (exit.stderrTail !== '') return `: ${exit.stderrTail}`;
  return plan.criuLog === undefined ? '' : ` (CRIU's log: ${plan.criuLog})`;
}

/** Names the member and the operation in front of the coordinator's own words; keeps the code. */
function labelled(plan: SessionPlan, error: unknown): CohortError {
  const cause = toCohortError(error);
  return new CohortError(
    cause.code,
    `${plan.kind} of ${memberLabel(plan)} failed: ${cause.message}`,
    {
      cause,
      details: cause.details,
    },
  );
}

/** The coordinator's reason as it gave it, and the culprit from its own field, group-qualified. */
function describeAbort(
  plan: SessionPlan,
  abort: { reason?: string; culprit?: string } | undefined,
  fallback: string,
): string {
  if (abort === undefined) return `failed: ${fallback}`;
  const culprit = abort.culprit === undefined ? '' : ` (culprit ${plan.group}/${abort.culprit})`;
  return `aborted${culprit}: ${abort.reason ?? fallback}`;
}

/** A dump that dies mid-way (runc killed) can leave the cgroup frozen; CRIU would have thawed it. */
async function thawIfFrozen(plan: SessionPlan): Promise<void> {
  if (plan.kind !== 'checkpoint' || plan.wasPaused) return;
  const state = await readContainerState(
    plan.runc,
    plan.globalArgs,
    plan.containerId,
    plan.env,
  ).catch(
    // Unreadable state: resume anyway; runc refuses harmlessly when the container is not paused.
    () => ({ status: 'paused' }),
  );
  if (state?.status === 'paused') {
    await resumeContainer(plan.runc, plan.globalArgs, plan.containerId, plan.env).catch(
      () => undefined,
    );
  }
}
