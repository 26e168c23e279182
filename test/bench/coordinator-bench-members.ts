import {
  connectCoordinator,
  type CoordinatorClient,
  type MemberSession,
} from '../../src/coordinator/client.js';

/** Clients for `count` members, `perConnection` member streams on each connection. */
export async function connectClients(
  address: string,
  count: number,
  perConnection = 16,
): Promise<CoordinatorClient[]> {
  const connections = Math.ceil(count / perConnection);
  return Promise.all(
    Array.from({ length: connections }, () =>
      connectCoordinator({ address, insecure: true, connectTimeoutMs: 20_000 }),
    ),
  );
}

export function memberNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `m${i}`);
}

/** How members declare the group: their names (as a manifest would) or only its size. */
export type Declaration = 'members' | 'size';

/** Every member joins one checkpoint round of `group`. */
export async function joinAll(
  clients: CoordinatorClient[],
  group: string,
  count: number,
  declaration: Declaration = 'members',
  perConnection = 16,
): Promise<MemberSession[]> {
  const names = memberNames(count);
  const declared = declaration === 'members' ? { declaredMembers: names } : { declaredSize: count };
  return Promise.all(
    names.map((member, i) => {
      const client = clients[Math.floor(i / perConnection)];
      if (client === undefined) throw new Error('not enough clients');
      return client.openSession({ group, member, kind: 'checkpoint', ...declared });
    }),
  );
}

/** Waits until the coordinator has counted `count` members at `stage`. */
export async function untilAtStage(
  client: CoordinatorClient,
  group: string,
  stage: string,
  count: number,
): Promise<void> {
  for (;;) {
    const round = (await client.status(group)).groups[0]?.openRound;
    if ((round?.members.filter((m) => m.stage === stage).length ?? 0) >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

export async function finishRound(sessions: MemberSession[]): Promise<void> {
  await Promise.all(sessions.map((s) => s.vote(true)));
  await Promise.all(sessions.map((s) => s.complete({ ok: true, imageLocation: '/bench' })));
  for (const s of sessions) s.close();
}
