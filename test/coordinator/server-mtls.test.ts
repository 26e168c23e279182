import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ErrorCode } from '../../src/core/errors.js';
import { connectCoordinator, type CoordinatorClient } from '../../src/coordinator/client.js';
import {
  startCoordinator,
  type RunningCoordinator,
} from '../../src/coordinator/start-coordinator.js';
import { silentLogger } from '../../src/coordinator/server/logger.js';
import { runClientRound, settledRecord } from './support/client-round.js';
import { TestPki, type CertFiles } from './support/test-pki.js';

let dir: string;
let pki: TestPki;
let coordinator: RunningCoordinator;
let address: string;
const clients: CoordinatorClient[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cohort-mtls-'));
  pki = new TestPki(dir);
  const server = pki.server();
  coordinator = await startCoordinator({
    listen: ['127.0.0.1:0'],
    stateDir: join(dir, 'state'),
    tls: { ca: pki.ca, ...server },
    logger: silentLogger,
  });
  address = coordinator.addresses[0] ?? '';
});

afterAll(async () => {
  for (const client of clients) client.close();
  await coordinator.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function connectAs(
  files: CertFiles,
  ca = pki.ca,
  connectTimeoutMs = 3_000,
): Promise<CoordinatorClient> {
  const client = await connectCoordinator({ address, tls: { ca, ...files }, connectTimeoutMs });
  clients.push(client);
  return client;
}

/** A refused handshake may surface at connect or (TLS 1.3) at the first call. */
async function connectAndCall(files: CertFiles): Promise<unknown> {
  const client = await connectAs(files, pki.ca, 1_000);
  return client.status();
}

describe('mutual TLS', () => {
  test('the admin certificate may use every verb and run a round', async () => {
    const admin = await connectAs(pki.client('admin'));
    await admin.applyGroup({ name: 'tls', members: ['m0', 'm1'] });
    expect(await admin.listGroups()).toContainEqual({ name: 'tls', members: ['m0', 'm1'] });
    await runClientRound(admin, 'tls', {
      members: 2,
      kind: 'checkpoint',
      fault: 'none',
      point: 'ready',
    });
    expect((await settledRecord(admin, 'tls')).outcome).toBe('permanent');
    expect(await admin.history('tls')).toHaveLength(1);
  });

  test('a member certificate joins as itself, reads status, and nothing more', async () => {
    const a = await connectAs(pki.client('a'));
    const session = await a.openSession({
      group: 'own',
      member: 'a',
      kind: 'checkpoint',
      declaredSize: 2,
    });
    expect(session.epoch).toBe(1);
    await expect(
      a.openSession({ group: 'own', member: 'b', kind: 'checkpoint', declaredSize: 2 }),
    ).rejects.toMatchObject({
      code: ErrorCode.Permission,
      message: expect.stringContaining('may not act as member b'),
    });
    expect((await a.status()).groups.map((g) => g.name)).toContain('own');
    await expect(a.applyGroup({ name: 'x', size: 1 })).rejects.toMatchObject({
      code: ErrorCode.Permission,
    });
    await expect(a.history('own')).rejects.toMatchObject({ code: ErrorCode.Permission });
    session.close();
  });

  test("another member's certificate is PERMISSION_DENIED for that member", async () => {
    const b = await connectAs(pki.client('b'));
    await expect(
      b.openSession({ group: 'other', member: 'a', kind: 'checkpoint', declaredSize: 1 }),
    ).rejects.toMatchObject({
      code: ErrorCode.Permission,
    });
  });

  test('a node certificate may join as any member', async () => {
    const node = await connectAs(pki.client('node:worker-1'));
    const sessions = await Promise.all(
      ['p', 'q'].map((member) =>
        node.openSession({ group: 'node', member, kind: 'checkpoint', declaredSize: 2 }),
      ),
    );
    await Promise.all(sessions.map((s) => s.arrive('ready')));
    for (const s of sessions) s.close();
  });

  test('a client certificate from another CA is refused', async () => {
    const stranger = new TestPki(dir, 'other-ca');
    await expect(connectAndCall(stranger.client('admin'))).rejects.toMatchObject({
      code: ErrorCode.Unreachable,
      message: expect.stringContaining(address),
    });
  });

  test('an expired client certificate is refused', async () => {
    await expect(connectAndCall(pki.client('admin', -1))).rejects.toMatchObject({
      code: ErrorCode.Unreachable,
    });
  });

  test('a client that does not trust the server CA cannot connect', async () => {
    const stranger = new TestPki(dir, 'third-ca');
    await expect(connectAs(pki.client('admin'), stranger.ca, 1_000)).rejects.toMatchObject({
      code: ErrorCode.Unreachable,
    });
  });
});
