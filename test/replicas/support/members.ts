import type { CoordinatorClient, MemberSession } from '../../../src/coordinator/client.js';

/** The named members join one checkpoint round of `group` (of `all` members), each on a client. */
export function joinAll(
  clients: readonly CoordinatorClient[],
  group: string,
  names: readonly string[],
  all: readonly string[] = names,
): Promise<MemberSession[]> {
  return Promise.all(
    names.map((member, i) => {
      const client = clients[i % clients.length];
      if (client === undefined) throw new Error('no client');
      return client.openSession({ group, member, kind: 'checkpoint', declaredMembers: [...all] });
    }),
  );
}

/** A whole round: ready, frozen, every vote yes, every completion; resolves with the decisions. */
export async function wholeRound(sessions: readonly MemberSession[]): Promise<boolean[]> {
  await Promise.all(sessions.map((s) => s.arrive('ready')));
  await Promise.all(sessions.map((s) => s.arrive('frozen')));
  const decisions = await Promise.all(sessions.map((s) => s.vote(true)));
  await Promise.all(sessions.map((s) => s.complete({ ok: true, imageLocation: '/img' })));
  for (const s of sessions) s.close();
  return decisions.map((d) => d.commit);
}

/** Waits until the leader counts `count` members of the group's open round at `stage`. */
export async function untilStage(
  client: CoordinatorClient,
  group: string,
  stage: string,
  count: number,
): Promise<void> {
  for (let i = 0; i < 600; i += 1) {
    const round = (await client.status(group).catch(() => undefined))?.groups[0]?.openRound;
    if ((round?.members.filter((m) => m.stage === stage).length ?? 0) >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`${group}: never ${count} members at ${stage}`);
}

/** What a member's barrier wait ended with: released, or the abort's reason. */
export function settled(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'released',
    (error: Error) => `aborted: ${error.message}`,
  );
}
