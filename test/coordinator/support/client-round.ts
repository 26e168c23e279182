import type {
  CoordinatorClient,
  Decision,
  MemberSession,
} from '../../../src/coordinator/client.js';
import type { RoundKind, RoundRecord } from '../../../src/coordinator/types.js';
import type { FaultPoint } from './scenario-driver.js';

export type ClientFault = 'none' | 'fail' | 'drop' | 'deadline' | 'vote-no' | 'duplicate';

export interface ClientScenario {
  members: number;
  kind: RoundKind;
  fault: ClientFault;
  point: FaultPoint;
}

export interface MemberResult {
  member: string;
  decision?: Decision;
  abort?: { reason: string; culprit?: string };
  error?: unknown;
}

/** Every member as a real session would act, the last one struck by the fault at `point`. */
export async function runClientRound(
  client: CoordinatorClient,
  group: string,
  s: ClientScenario,
): Promise<MemberResult[]> {
  const names = Array.from({ length: s.members }, (_, i) => `m${i}`);
  const sessions = await Promise.all(
    names.map((member) =>
      client.openSession({
        group,
        member,
        kind: s.kind,
        declaredMembers: names,
        heartbeatMs: 200,
        ...(s.kind === 'restore' ? { checkpointEpoch: 1000 } : {}),
      }),
    ),
  );
  const results = await Promise.all(
    sessions.map((session, i) => act(session, names[i] ?? '', i === names.length - 1, s)),
  );
  for (const session of sessions) session.close();
  return results;
}

async function act(
  session: MemberSession,
  member: string,
  culprit: boolean,
  s: ClientScenario,
): Promise<MemberResult> {
  const result: MemberResult = { member };
  const aborted = new Promise<void>((resolve) =>
    session.onAbort((abort) => {
      result.abort = abort;
      resolve();
    }),
  );
  /** True when the fault struck here and this member stops acting. */
  const strike = (point: FaultPoint): boolean => {
    if (!culprit || s.point !== point || s.fault === 'none' || s.fault === 'duplicate')
      return false;
    if (s.fault === 'fail') session.fail('injected failure');
    if (s.fault === 'drop') session.close();
    return s.fault !== 'vote-no';
  };
  const twice = async (step: () => Promise<unknown>): Promise<void> => {
    await step();
    if (s.fault === 'duplicate') await step();
  };
  try {
    if (strike('ready')) return await settle(result, aborted, s);
    await twice(() => session.arrive('ready'));
    if (s.kind === 'checkpoint') {
      if (strike('frozen')) return await settle(result, aborted, s);
      await twice(() => session.arrive('frozen'));
    }
    if (strike('vote')) return await settle(result, aborted, s);
    const voteNo = culprit && s.fault === 'vote-no' && s.point === 'vote';
    result.decision = await session.vote(!voteNo, voteNo ? 'images incomplete' : undefined);
    if (!result.decision.commit) return result;
    if (s.kind === 'restore') {
      if (strike('resumed')) return result;
      await twice(() => session.arrive('resumed'));
    }
    if (strike('complete')) return result;
    await session.complete({ ok: true, imageLocation: `/images/${member}` });
  } catch (error) {
    result.error = error;
  }
  return result;
}

/** A struck member before the decision waits for the abort it caused (a dropped one cannot hear it). */
async function settle(
  result: MemberResult,
  aborted: Promise<void>,
  s: ClientScenario,
): Promise<MemberResult> {
  if (s.fault !== 'drop') await aborted;
  return result;
}

/** Waits until the round has an outcome other than open (and, once committed, is closed). */
export async function settledRecord(
  client: CoordinatorClient,
  group: string,
  epoch = 1,
): Promise<RoundRecord> {
  for (;;) {
    const record = (await client.history(group)).find((r) => r.epoch === epoch);
    if (record !== undefined && record.outcome !== 'open' && record.closedAt !== undefined)
      return record;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
