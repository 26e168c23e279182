import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cohortctl } from './support/run-cli.js';
import { startTestCoordinator, type TestCoordinator } from './support/coordinator.js';

const PATH_ENV = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' };

describe('certificates from pki init, used for mutual TLS with cohortd', () => {
  let pki: string;
  let coordinator: TestCoordinator;

  function configFor(stem: string): string {
    const path = join(pki, `cohort-${stem}.json`);
    const tls = {
      ca: join(pki, 'ca.crt'),
      cert: join(pki, `${stem}.crt`),
      key: join(pki, `${stem}.key`),
    };
    // By name: grpc-js sends an IP literal as the TLS server name, which Node deprecates (DEP0123).
    const address = coordinator.address.replace(/^127\.0\.0\.1:/, 'localhost:');
    writeFileSync(path, JSON.stringify({ runc: '/usr/sbin/runc', coordinator: { address, tls } }));
    return path;
  }

  beforeAll(async () => {
    pki = mkdtempSync(join(tmpdir(), 'cohort-pki-tls-'));
    const made = await cohortctl(['pki', 'init', pki, '--node', 'worker-1'], { env: PATH_ENV });
    expect(made.code).toBe(0);
    coordinator = await startTestCoordinator({
      listen: ['127.0.0.1:0'],
      tls: {
        ca: join(pki, 'ca.crt'),
        cert: join(pki, 'cohortd.crt'),
        key: join(pki, 'cohortd.key'),
      },
    });
  });
  afterAll(async () => {
    await coordinator?.stop();
    rmSync(pki, { recursive: true, force: true });
  });

  it('lets the admin certificate change groups', async () => {
    const manifest = join(pki, 'orders.yaml');
    writeFileSync(manifest, 'name: orders\nsize: 2\n');
    const applied = await cohortctl([
      '--config',
      configFor('admin'),
      'group',
      'apply',
      '-f',
      manifest,
    ]);
    expect(applied).toMatchObject({ code: 0, stderr: '' });
  });

  it("lets a node certificate read, and refuses it the admin's verbs", async () => {
    const config = configFor('node-worker-1');
    expect((await cohortctl(['--config', config, 'status'])).code).toBe(0);
    const refused = await cohortctl(['--config', config, 'group', 'delete', 'orders']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^cohortctl: .*admin.*\n$/);
  });
});
