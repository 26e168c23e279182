import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CohortError, ErrorCode } from '../../core/errors.js';

export type Credentials = { username: string; password: string } | { identityToken: string };

/** The auth files podman, skopeo and docker read, in the order containers-auth.json(5) gives. */
export function authFiles(env: Record<string, string | undefined>): string[] {
  const files: string[] = [];
  if (env.REGISTRY_AUTH_FILE) files.push(env.REGISTRY_AUTH_FILE);
  if (env.XDG_RUNTIME_DIR) files.push(join(env.XDG_RUNTIME_DIR, 'containers', 'auth.json'));
  if (env.HOME) files.push(join(env.HOME, '.docker', 'config.json'));
  return files;
}

interface AuthEntry {
  auth?: string;
  identitytoken?: string;
}

/** The keys an entry may have for `host/repository`, most specific first (namespaces, then the host). */
function candidateKeys(host: string, repository: string): string[] {
  const parts = repository.split('/');
  const keys: string[] = [];
  for (let n = parts.length; n >= 1; n -= 1) keys.push(`${host}/${parts.slice(0, n).join('/')}`);
  keys.push(
    host,
    `https://${host}`,
    `http://${host}`,
    `https://${host}/v1/`,
    `https://${host}/v2/`,
  );
  return keys;
}

/**
 * The credentials for a repository from the first auth file that has an entry for it, or
 * undefined (anonymous). Only `auth` and `identitytoken` entries are read: credential helpers
 * are not run.
 */
export function findCredentials(
  env: Record<string, string | undefined>,
  host: string,
  repository: string,
): Credentials | undefined {
  for (const file of authFiles(env)) {
    const auths = readAuths(file);
    if (auths === undefined) continue;
    for (const key of candidateKeys(host, repository)) {
      const entry = auths[key];
      if (entry === undefined) continue;
      if (entry.identitytoken) return { identityToken: entry.identitytoken };
      if (entry.auth) return decodeAuth(entry.auth, file, key);
    }
  }
  return undefined;
}

function readAuths(file: string): Record<string, AuthEntry> | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CohortError(
      ErrorCode.StoreAuth,
      `cannot read registry auth file ${file}: ${(error as Error).message}; fix its permissions or set REGISTRY_AUTH_FILE`,
      { cause: error, details: { file } },
    );
  }
  try {
    const parsed = JSON.parse(text) as { auths?: Record<string, AuthEntry> };
    return parsed.auths ?? {};
  } catch (error) {
    throw new CohortError(
      ErrorCode.StoreAuth,
      `registry auth file ${file} is not JSON; log in again (podman login) or fix the file`,
      { cause: error, details: { file } },
    );
  }
}

function decodeAuth(auth: string, file: string, key: string): Credentials {
  const text = Buffer.from(auth, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon <= 0) {
    throw new CohortError(
      ErrorCode.StoreAuth,
      `registry auth file ${file}: the entry for ${key} is not base64 of user:password; log in again (podman login)`,
      { details: { file, key } },
    );
  }
  return { username: text.slice(0, colon), password: text.slice(colon + 1) };
}
