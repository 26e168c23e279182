import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ErrorCode } from '../../src/core/errors.js';
import { PACKAGE_ROOT } from '../../src/core/package-paths.js';
import type { CoordinatorClient } from '../../src/coordinator/client.js';
import { DaemonProcess } from './support/daemon-process.js';
import { rawClient, rawStream } from './support/raw-client.js';
import { startTestCoordinator, type TestCoordinator } from './support/server-fixture.js';

let coordinator: TestCoordinator;
let client: CoordinatorClient;
beforeAll(async () => {
  // Heartbeats are missed after 2 s, room for a loaded machine; sessions here beat every 100 ms.
  coordinator = await startTestCoordinator('unix', { deadlines: { heartbeatTimeoutMs: 2_000 } });
  client = await coordinator.client();
});
afterAll(async () => {
  await coordinator.close();
});

const join = (group: string, member: string, size = 2) =>
  client.openSession({ group, member, kind: 'checkpoint', declaredSize: size, heartbeatMs: 100 });

describe('MemberSession', () => {
  test('arrivals are idempotent: repeated and concurrent calls share one release', async () => {
    const [a, b] = await Promise.all([join('idem', 'a'), join('idem', 'b')]);
    if (!a || !b) throw new Error('no sessions');
    const first = a.arrive('ready');
    const again = a.arrive('ready');
    await Promise.all([first, again, b.arrive('ready')]);
    await a.arrive('ready');
    expect(a.members).toEqual(['a', 'b']);
    a.close();
    b.close();
  });

  test('a refused arrival rejects that call only, with the code from the server', async () => {
    const [a, b] = await Promise.all([join('refuse', 'a'), join('refuse', 'b')]);
    await expect(a.arrive('resumed')).rejects.toMatchObject({
      code: ErrorCode.Protocol,
      message: 'resumed: a checkpoint has no resumed barrier',
    });
    await Promise.all([a.arrive('ready'), b.arrive('ready')]);
    a.close();
    b.close();
  });

  test('fail() aborts everyone; later calls answer from the abort', async () => {
    const [a, b] = await Promise.all([join('fail', 'a'), join('fail', 'b')]);
    const waiting = b.arrive('ready');
    a.fail('runc could not start');
    await expect(waiting).rejects.toMatchObject({
      code: ErrorCode.Aborted,
      details: { reason: 'member a failed: runc could not start', culprit: 'a' },
    });
    const heard = await new Promise((resolve) => a.onAbort(resolve));
    expect(heard).toEqual({ reason: 'member a failed: runc could not start', culprit: 'a' });
    expect(await b.vote(true)).toMatchObject({ commit: false, culprit: 'a' });
    await b.complete({ ok: true });
    a.close();
    b.close();
  });

  test('heartbeats keep a waiting member in; a silent one is dropped', async () => {
    const a = await join('beat', 'a');
    const silent = rawStream(rawClient(coordinator.address));
    silent.write({
      seq: 1,
      join: { group: 'beat', member: 'b', kind: 'CHECKPOINT', declaredSize: 2 },
    });
    await silent.next();
    const abort = await new Promise<{ reason: string; culprit?: string }>((resolve) =>
      a.onAbort(resolve),
    );
    expect(abort).toMatchObject({ culprit: 'b', reason: expect.stringContaining('no heartbeat') });
    silent.close();
    a.close();
  });
});

test('a vote whose coordinator never comes back resolves as no commit after the reconnect window', async () => {
  const address = `unix://${coordinator.dir}/gone.sock`;
  const daemon = new DaemonProcess([
    '--listen',
    address,
    '--state-dir',
    `${coordinator.dir}/gone-state`,
  ]);
  const gone = await daemon.client(address, 500);
  const [a, b] = await Promise.all(
    ['a', 'b'].map((member) =>
      gone.openSession({ group: 'gone', member, kind: 'checkpoint', declaredSize: 2 }),
    ),
  );
  if (!a || !b) throw new Error('no sessions');
  await Promise.all([a.arrive('ready'), b.arrive('ready')]);
  await Promise.all([a.arrive('frozen'), b.arrive('frozen')]);
  const vote = a.vote(true);
  daemon.signal('SIGKILL');
  expect(await vote).toMatchObject({
    commit: false,
    epoch: 1,
    reason: expect.stringContaining('no decision from the coordinator'),
  });
  await daemon.exited;
  a.close();
  b.close();
  gone.close();
});

test('keepalive notices a member whose process stopped answering, well before any heartbeat timeout', async () => {
  const slow = await startTestCoordinator('unix', { deadlines: { heartbeatTimeoutMs: 600_000 } });
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'test/coordinator/support/stopped-member.ts',
      slow.address,
      'keep',
      'frozen-member',
    ],
    {
      cwd: PACKAGE_ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  const other = await (
    await slow.client()
  ).openSession({ group: 'keep', member: 'ok', kind: 'checkpoint', declaredSize: 2 });
  const abort = new Promise<{ reason: string; culprit?: string }>((resolve) =>
    other.onAbort(resolve),
  );
  child.kill('SIGSTOP');
  try {
    const heard = await abort;
    expect(heard.culprit).toBe('frozen-member');
    expect(heard.reason).toContain('session was lost');
    expect(heard.reason).not.toContain('heartbeat');
  } finally {
    child.kill('SIGKILL');
    other.close();
    await slow.close();
  }
}, 30_000);
