import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify } from 'yaml';

/** Debian 12's distribution 2.8 (`docker-registry serve CONFIG.yml`). */
export const REGISTRY_BIN = '/usr/bin/docker-registry';

/** Why the registry tier cannot run here, or undefined when it can. */
export function registryMissing(): string | undefined {
  if (!existsSync(REGISTRY_BIN))
    return `${REGISTRY_BIN} is not installed (Debian: docker-registry)`;
  return undefined;
}

export interface RegistryOptions {
  /** Serve HTTPS with a certificate from a throwaway CA (the CA file is `caFile`). */
  tls?: boolean;
  /** Serve HTTPS with this pair instead (e.g. made by `cohortctl pki init`); `caFile` signed it. */
  certificate?: { cert: string; key: string; caFile: string };
  /** htpasswd users (bcrypt), as user → password. */
  users?: Record<string, string>;
  /** Token auth (the Bearer challenge flow): the realm of a token server, and the cert that signs its tokens. */
  token?: { realm: string; service: string; issuer: string; certFile: string };
  /** Serve this storage (kept from a registry stopped with keepData) on this port. */
  reuse?: { dataDir: string; port: number };
}

/** A private registry on 127.0.0.1 with its own config and storage, for one test file. */
export interface TestRegistry {
  /** host:port */
  host: string;
  /** http://host:port or https://host:port */
  url: string;
  /** The CA that signed the server certificate (tls only). */
  caFile?: string;
  /** Where the registry keeps blobs and repositories (the filesystem driver's root). */
  dataDir: string;
  dir: string;
  /** What the registry printed (for a failing test's message). */
  log(): string;
  /** Stops the registry; its storage stays when `keepData` (to start it again with `reuse`). */
  stop(options?: { keepData?: boolean }): Promise<void>;
  port: number;
}

/** A free TCP port on 127.0.0.1 (closed again before it is returned). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** A self-signed CA and a server certificate for 127.0.0.1/localhost, made with openssl. */
export function makeTestCa(dir: string): { caFile: string; cert: string; key: string } {
  const run = (args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  };
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  run([
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '2',
    '-subj',
    '/CN=cohort test registry CA',
  ]);
  run(['req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1']);
  writeFileSync(
    join(dir, 'server.ext'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n',
  );
  run([
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.crt',
    '-days',
    '2',
    '-extfile',
    'server.ext',
  ]);
  return {
    caFile: join(dir, 'ca.crt'),
    cert: join(dir, 'server.crt'),
    key: join(dir, 'server.key'),
  };
}

/** A bcrypt htpasswd line (distribution reads only bcrypt), made by python3's crypt (libxcrypt). */
export function htpasswdLine(user: string, password: string): string {
  const script =
    'import crypt,sys; print(sys.argv[1] + ":" + crypt.crypt(sys.argv[2], crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16)))';
  return execFileSync('python3', ['-W', 'ignore', '-c', script, user, password], {
    encoding: 'utf8',
  }).trim();
}

/** Starts `docker-registry serve` on 127.0.0.1 and waits until /v2/ answers. */
export async function startRegistry(options: RegistryOptions = {}): Promise<TestRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'cohort-registry-'));
  // A reused storage lives outside `dir`, so stopping one registry does not delete it.
  const dataDir = options.reuse?.dataDir ?? mkdtempSync(join(tmpdir(), 'cohort-registry-data-'));
  try {
    return await serveRegistry(options, dir, dataDir);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    if (options.reuse === undefined) rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}

async function serveRegistry(
  options: RegistryOptions,
  dir: string,
  dataDir: string,
): Promise<TestRegistry> {
  const port = options.reuse?.port ?? (await freePort());
  const host = `127.0.0.1:${port}`;
  const http: Record<string, unknown> = { addr: host, secret: `test-${process.pid}-${port}` };
  let caFile: string | undefined;
  if (options.tls === true || options.certificate !== undefined) {
    const pki = options.certificate ?? makeTestCa(dir);
    caFile = pki.caFile;
    http.tls = { certificate: pki.cert, key: pki.key };
  }
  const config: Record<string, unknown> = {
    version: 0.1,
    log: { level: 'warn', accesslog: { disabled: true } },
    storage: {
      filesystem: { rootdirectory: dataDir },
      // Retention deletes manifests by digest: distribution refuses unless this is on.
      delete: { enabled: true },
      maintenance: { uploadpurging: { enabled: false } },
    },
    http,
  };
  if (options.users !== undefined) {
    const lines = Object.entries(options.users).map(([user, pw]) => htpasswdLine(user, pw));
    writeFileSync(join(dir, 'htpasswd'), lines.join('\n') + '\n');
    config.auth = { htpasswd: { realm: 'cohort-test', path: join(dir, 'htpasswd') } };
  }
  if (options.token !== undefined) {
    const { realm, service, issuer, certFile } = options.token;
    config.auth = { token: { realm, service, issuer, rootcertbundle: certFile } };
  }
  const configFile = join(dir, 'config.yml');
  writeFileSync(configFile, stringify(config));
  const logFile = join(dir, 'registry.log');
  const child = spawn(REGISTRY_BIN, ['serve', configFile], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: false,
  });
  // A test process that dies without stop() must not leave its registry behind.
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));
  const chunks: string[] = [];
  child.stdout?.on('data', (data: Buffer) => chunks.push(data.toString()));
  child.stderr?.on('data', (data: Buffer) => chunks.push(data.toString()));
  const url = `${caFile === undefined ? 'http' : 'https'}://${host}`;
  try {
    await waitForRegistry(host, child, () => chunks.join(''));
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  const registry: TestRegistry = {
    host,
    url,
    dataDir,
    dir,
    log: () => chunks.join(''),
    port,
    async stop(stopOptions = {}) {
      writeFileSync(logFile, chunks.join(''));
      await stopChild(child);
      if (stopOptions.keepData !== true) rmSync(dataDir, { recursive: true, force: true });
      rmSync(dir, { recursive: true, force: true });
    },
  };
  if (caFile !== undefined) registry.caFile = caFile;
  return registry;
}

async function waitForRegistry(
  host: string,
  child: ChildProcess,
  log: () => string,
): Promise<void> {
  const [hostname = '127.0.0.1', port = '0'] = host.split(':');
  for (let attempt = 0; attempt < 400; attempt += 1) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited: ${log()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(Number(port), hostname, () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    await sleep(25);
  }
  throw new Error(`docker-registry on ${host} never listened: ${log()}`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/** The registry's stored file for a blob (to corrupt it in a fault test). */
export function blobDataPath(registry: TestRegistry, digest: string): string {
  const hex = digest.replace(/^sha256:/, '');
  return join(registry.dataDir, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data');
}

/** Reads a blob's bytes straight from the registry's storage. */
export function readBlobData(registry: TestRegistry, digest: string): Buffer {
  return readFileSync(blobDataPath(registry, digest));
}
