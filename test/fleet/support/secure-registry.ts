import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { startRegistry, type TestRegistry } from '../../helpers/registry.js';
import { REPO_ROOT } from '../../helpers/runc.js';

/** A registry serving TLS with cohort's own PKI, and refusing anyone without a password. */
export interface SecureRegistry {
  registry: TestRegistry;
  host: string;
  /** The CA of `cohortctl pki init` that signed the registry's certificate. */
  caFile: string;
  /** A directory holding only that CA, for podman's and skopeo's --cert-dir. */
  certDir: string;
  /** An auth file (containers-auth.json) giving this user and password for the registry. */
  authFile(user: string, password: string): string;
  stop(): Promise<void>;
}

/**
 * `bin/cohortctl pki init --san 127.0.0.1`, then docker-registry on 127.0.0.1 serving HTTPS with
 * the server pair it wrote (cohortd.crt/key) and htpasswd users.
 */
export async function startSecureRegistry(users: Record<string, string>): Promise<SecureRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'cohort-secure-registry-'));
  const pki = join(dir, 'pki');
  await execa(join(REPO_ROOT, 'bin', 'cohortctl'), ['pki', 'init', pki, '--san', '127.0.0.1'], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    extendEnv: false,
  });
  const caFile = join(pki, 'ca.crt');
  const registry = await startRegistry({
    users,
    certificate: { cert: join(pki, 'cohortd.crt'), key: join(pki, 'cohortd.key'), caFile },
  });
  const certDir = join(dir, 'certs');
  mkdirSync(certDir);
  copyFileSync(caFile, join(certDir, 'ca.crt'));
  let files = 0;
  return {
    registry,
    host: registry.host,
    caFile,
    certDir,
    authFile(user, password) {
      files += 1;
      const path = join(dir, `auth-${files}.json`);
      const auth = Buffer.from(`${user}:${password}`).toString('base64');
      writeFileSync(path, JSON.stringify({ auths: { [registry.host]: { auth } } }), {
        mode: 0o600,
      });
      return path;
    },
    async stop() {
      await registry.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
