import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import type { CoordinatorClient } from '../../src/coordinator/client.js';
import { RESTART_REASON } from '../../src/coordinator/protocol/replay.js';
import { LOG_FILE } from '../../src/coordinator/store/state-log.js';
import { CRASH_AFTER_DECISION_PERSIST } from '../../src/entries/cohortd.js';
import { DaemonProcess } from './support/daemon-process.js';

const dir = mkdtempSync(join(tmpdir(), 'cohortd-crash-'));
const stateDir = join(dir, 'state');
const address = `unix://${join(dir, 'cohortd.sock')}`;
const args = ['--listen', address, '--state-dir', stateDir, '--log-level', 'debug'];
const clients: CoordinatorClient[] = [];
const daemons: DaemonProcess[] = [];

afterAll(() => {
  for (const client of clients) client.close();
  for (const daemon of daemons) daemon.signal('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

function daemon(env: Record<string, string> = {}): DaemonProcess {
  const started = new DaemonProcess(args, env);
  daemons.push(started);
  return started;
}

async function connect(d: DaemonProcess): Promise<CoordinatorClient> {
  const client = await d.client(address);
  clients.push(client);
  return client;
}

test('kill -9 between decision persisted and announced: after restart every member gets the decision', async () => {
  const first = daemon({ [CRASH_AFTER_DECISION_PERSIST]: '1' });
  const client = await connect(first);
  const names = ['a', 'b'];
  const members = await Promise.all(
    names.map((member) =>
      client.openSession({ group: 'crash', member, kind: 'checkpoint', declaredMembers: names }),
    ),
  );
  // A second group with a round that never reaches a decision.
  const waiting = await client.openSession({
    group: 'undecided',
    member: 'x',
    kind: 'checkpoint',
    declaredSize: 2,
  });
  const lostAbort = new Promise<{ reason: string }>((resolve) => waiting.onAbort(resolve));

  await Promise.all(members.map((m) => m.arrive('ready')));
  await Promise.all(members.map((m) => m.arrive('frozen')));
  const votes = members.map((m) => m.vote(true));

  expect(await first.exited).toMatchObject({ signal: 'SIGKILL' });
  expect((await lostAbort).reason).toContain('lost the coordinator stream');

  const second = daemon();
  const decisions = await Promise.all(votes);
  for (const decision of decisions) expect(decision).toEqual({ commit: true, epoch: 1 });
  await Promise.all(
    members.map((m, i) => m.complete({ ok: true, imageLocation: `/images/${names[i]}` })),
  );

  const admin = await connect(second);
  const [round] = await admin.history('crash');
  expect(round).toMatchObject({
    outcome: 'permanent',
    imageLocations: { a: '/images/a', b: '/images/b' },
  });
  expect(await admin.getDecision('undecided', 1)).toMatchObject({
    commit: false,
    reason: RESTART_REASON,
  });
  expect(second.events('round-aborted')).toContainEqual(
    expect.objectContaining({ group: 'undecided', abortKind: 'restart' }),
  );
  for (const m of [...members, waiting]) m.close();

  // SIGTERM with a round open: it is aborted for its members, then the daemon exits 0.
  const open = await admin.openSession({
    group: 'term',
    member: 'p',
    kind: 'checkpoint',
    declaredSize: 2,
  });
  const shutdownAbort = new Promise<{ reason: string }>((resolve) => open.onAbort(resolve));
  second.signal('SIGTERM');
  expect((await shutdownAbort).reason).toBe('coordinator shutting down');
  expect(await second.exited).toEqual({ code: 0, signal: null });
  open.close();

  // A damaged tail is reported and cut; what came before it stays.
  appendFileSync(join(stateDir, LOG_FILE), '{"crc":"00000000","record":{"type":"gro');
  const third = daemon();
  const after = await connect(third);
  expect((await after.history('crash'))[0]?.outcome).toBe('permanent');
  expect((await after.getDecision('term', 1))?.reason).toBe('coordinator shutting down');
  expect(third.events('state-log-truncated')).toEqual([
    expect.objectContaining({ problem: 'the last line is incomplete' }),
  ]);
  third.signal('SIGINT');
  expect(await third.exited).toEqual({ code: 0, signal: null });
});
