import { mkdirSync, writeFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/errors.js';
import { openStore, parseStoreLocation, type StoreOptions } from '../../src/store/index.js';
import { registryMissing, startRegistry, type TestRegistry } from '../helpers/registry.js';
import { run } from '../helpers/run.js';
import { expectFetches, expectStoreError, storeCheckpoint, testDir } from './support/fixtures.js';
import { startTokenServer, type TokenServer } from './support/token-server.js';

const PASSWORD = 's3cret-Pa55';
const missing = registryMissing();

function authFile(dir: string, host: string, user: string, password: string): string {
  const file = join(dir, `auth-${user}-${password.length}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      auths: { [host]: { auth: Buffer.from(`${user}:${password}`).toString('base64') } },
    }),
  );
  return file;
}

describe.skipIf(missing !== undefined)('oci:// store with TLS and htpasswd (Basic auth)', () => {
  let registry: TestRegistry;
  let dir: string;
  let stored: Awaited<ReturnType<typeof storeCheckpoint>>;
  const store = (repository: string, options: Partial<StoreOptions>) =>
    openStore(parseStoreLocation(`oci://${registry.host}/${repository}`), { env: {}, ...options });

  beforeAll(async () => {
    registry = await startRegistry({ tls: true, users: { cohort: PASSWORD } });
    dir = testDir('auth');
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('stores and fetches with credentials from REGISTRY_AUTH_FILE and the CA file; skopeo reads the image', async () => {
    const options = {
      env: { REGISTRY_AUTH_FILE: authFile(dir, registry.host, 'cohort', PASSWORD) },
      caFile: registry.caFile!,
    };
    const s = store('cohort/tls', options);
    stored = await storeCheckpoint(s, 'web', 1, ['db']);
    await expectFetches(s, await s.get('web'), 'db', stored.pages.get('db')!);
    const certDir = join(dir, 'certs');
    mkdirSync(certDir, { recursive: true });
    copyFileSync(registry.caFile!, join(certDir, 'ca.crt'));
    const raw = await run('/usr/bin/skopeo', [
      'inspect',
      '--raw',
      '--authfile',
      options.env.REGISTRY_AUTH_FILE,
      '--cert-dir',
      certDir,
      `docker://${registry.host}/cohort/tls/db:epoch-1`,
    ]);
    expect(raw.exitCode, raw.stderr).toBe(0);
    expect(JSON.parse(raw.stdout)).toMatchObject({ annotations: { 'io.cohort.group': 'web' } });
  });

  it('says the credentials were refused, without showing them', async () => {
    const s = store('cohort/tls', {
      env: { REGISTRY_AUTH_FILE: authFile(dir, registry.host, 'cohort', 'wrong-password') },
      caFile: registry.caFile!,
    });
    const error = await expectStoreError(() => s.list('web'), ErrorCode.StoreAuth);
    expect(error.message).toContain(`oci://${registry.host}/cohort/tls`);
    expect(error.message).toContain('401');
    expect(error.message).not.toContain('wrong-password');
    expect(JSON.stringify(error)).not.toContain('wrong-password');
    const good = store('cohort/tls', {
      env: { REGISTRY_AUTH_FILE: authFile(dir, registry.host, 'cohort', PASSWORD) },
      caFile: registry.caFile!,
    });
    await expectFetches(good, await good.get('web'), 'db', stored.pages.get('db')!);
  });

  it('asks for a login when no auth file has the registry', async () => {
    const s = store('cohort/tls', { env: { HOME: dir }, caFile: registry.caFile! });
    const error = await expectStoreError(() => s.list('web'), ErrorCode.StoreAuth);
    expect(error.message).toContain(`podman login ${registry.host}`);
  });

  it('refuses a certificate no trusted CA signed, and names the fix', async () => {
    const s = store('cohort/tls', {
      env: { REGISTRY_AUTH_FILE: authFile(dir, registry.host, 'cohort', PASSWORD) },
    });
    const error = await expectStoreError(() => s.list('web'), ErrorCode.StoreUnreachable);
    expect(error.message).toMatch(/not trusted/);
    expect(error.message).toContain('CA');
  });

  it('skips the certificate check with tlsVerify false (podman --tls-verify=false)', async () => {
    const s = store('cohort/tls', {
      env: { REGISTRY_AUTH_FILE: authFile(dir, registry.host, 'cohort', PASSWORD) },
      tlsVerify: false,
    });
    expect((await s.list('web')).map((r) => r.epoch)).toEqual([1]);
  });
});

describe.skipIf(missing !== undefined)(
  'oci:// store with token auth (the Bearer challenge flow)',
  () => {
    let registry: TestRegistry;
    let tokens: TokenServer;
    let dir: string;

    beforeAll(async () => {
      dir = testDir('token');
      tokens = await startTokenServer(dir, { cohort: PASSWORD });
      registry = await startRegistry({
        token: {
          realm: tokens.realm,
          service: tokens.service,
          issuer: tokens.issuer,
          certFile: tokens.certFile,
        },
      });
    });
    afterAll(async () => {
      await registry?.stop();
      await tokens?.close();
    });

    it('gets tokens for the scopes each call needs, with credentials from $XDG_RUNTIME_DIR/containers/auth.json', async () => {
      const xdg = join(dir, 'xdg');
      mkdirSync(join(xdg, 'containers'), { recursive: true });
      writeFileSync(
        join(xdg, 'containers', 'auth.json'),
        JSON.stringify({
          auths: {
            [registry.host]: { auth: Buffer.from(`cohort:${PASSWORD}`).toString('base64') },
          },
        }),
      );
      const s = openStore(parseStoreLocation(`oci://${registry.host}/cohort/token`), {
        env: { XDG_RUNTIME_DIR: xdg },
        tlsVerify: false,
      });
      const first = await storeCheckpoint(s, 'web', 1, ['db']);
      await storeCheckpoint(s, 'web', 2, ['db']);
      expect(await s.prune('web', 1)).toEqual([1]);
      expect(tokens.issued.count).toBeGreaterThan(0);
      const again = openStore(s.location, { env: { XDG_RUNTIME_DIR: xdg }, tlsVerify: false });
      expect((await again.list('web')).map((r) => r.epoch)).toEqual([2]);
      expect(first.record.members[0]?.reference).toContain(
        `${registry.host}/cohort/token/db@sha256:`,
      );
    });

    it('says so when the token server refuses the credentials', async () => {
      const file = join(dir, 'bad.json');
      writeFileSync(
        file,
        JSON.stringify({
          auths: { [registry.host]: { auth: Buffer.from('cohort:nope-nope').toString('base64') } },
        }),
      );
      const s = openStore(parseStoreLocation(`oci://${registry.host}/cohort/token`), {
        env: { REGISTRY_AUTH_FILE: file },
        tlsVerify: false,
      });
      const error = await expectStoreError(() => s.list('web'), ErrorCode.StoreAuth);
      expect(error.message).toContain('token server');
      expect(error.message).not.toContain('nope-nope');
    });
  },
);
