import type { CoordinatorClient } from '../coordinator/client.js';
import { followRound } from '../coordinator/client/follow-round.js';
import { CohortError, ErrorCode } from '../core/errors.js';
import type { OperationResult } from '../gen/cohort/v1/groups.js';
import type { CliContext } from './context.js';
import { formatOperation } from './format-operation.js';
import { ProgressView } from './progress/progress-view.js';

export interface GroupOperation {
  kind: 'checkpoint' | 'restore';
  group: string;
  json: boolean;
  intervalMs: number;
  /** Whether the operation must end stored to count as done, given the group's policy store. */
  wantStored(policyStore: string): boolean;
  run(client: CoordinatorClient): Promise<OperationResult>;
}

/**
 * Asks cohortd for a group operation (it runs it through the agents of every node), follows
 * the round on one progress line per member, and prints the outcome; anything short of success
 * is an error with the outcome's code, so the exit code says what went wrong.
 */
export async function runOperation(context: CliContext, operation: GroupOperation): Promise<void> {
  const client = await context.coordinator();
  const { io } = context;
  const before = await client.status(operation.group).catch(() => undefined);
  const afterEpoch = before?.groups[0]?.lastEpoch ?? 0;
  const shown = await client.groups.show(operation.group);
  const members = shown.members.map((m) => ({ member: m.member, label: m.label }));
  const wantStored = operation.wantStored(shown.policy?.store ?? '');
  const view = operation.json || members.length === 0 ? undefined : new ProgressView(io, members);
  if (!operation.json) io.out(`${operation.kind} of group ${operation.group}\n`);
  const follower = followRound({
    client,
    group: operation.group,
    afterEpoch,
    intervalMs: operation.intervalMs,
    onRound: (round) => view?.round(round),
  });
  let result: OperationResult;
  try {
    result = await operation.run(client);
  } finally {
    await follower.stop();
  }
  io.out(operation.json ? JSON.stringify(result) + '\n' : formatOperation(result));
  const done = result.outcome === 'stored' || (result.outcome === 'permanent' && !wantStored);
  if (!done) throw failure(result, wantStored);
}

function failure(result: OperationResult, wantStored: boolean): CohortError {
  const committed = result.outcome === 'permanent' || result.outcome === 'committed';
  const code = errorCode(result.errorCode, committed && wantStored);
  const culprit = result.culprit === '' ? '' : ` (culprit ${result.culprit})`;
  // Epoch 0: refused before a round was opened; nothing was touched.
  const how = result.epoch === 0 ? 'not started' : `${result.outcome} at epoch ${result.epoch}`;
  return new CohortError(
    code,
    `${result.kind} of group ${result.group} ${how}${culprit}: ${result.reason || 'not done'}`,
    {
      details: { group: result.group, epoch: result.epoch, culprit: result.culprit || undefined },
    },
  );
}

/** The code an outcome's failure carries; a committed but unstored one is NotStored unless the store said why. */
function errorCode(text: string, notStored: boolean): ErrorCode {
  const known = (Object.values(ErrorCode) as string[]).includes(text)
    ? (text as ErrorCode)
    : undefined;
  if (notStored)
    return known?.startsWith('COHORT_ERR_STORE_') === true && known !== ErrorCode.StoreIo
      ? known
      : ErrorCode.NotStored;
  return known ?? ErrorCode.Aborted;
}
