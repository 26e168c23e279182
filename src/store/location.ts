import { isAbsolute, normalize } from 'node:path';
import { CohortError, ErrorCode } from '../core/errors.js';

/** Where one group's checkpoints are kept: a directory, or an OCI registry repository. */
export type StoreLocation =
  | { kind: 'dir'; path: string; text: string }
  | { kind: 'oci'; host: string; repository: string; text: string };

/** OCI distribution's repository path rule: lowercase components joined by '/'. */
const REPOSITORY =
  /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/;
const HOST =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::(\d{1,5}))?$/;

const EXAMPLES = 'dir:/var/lib/cohort/store/GROUP or oci://registry.example:5000/cohort/GROUP';

function invalid(option: string, text: string, why: string): never {
  throw new CohortError(
    ErrorCode.StoreLocation,
    `${option} ${JSON.stringify(text)}: ${why}; give ${EXAMPLES}`,
    { details: { option, location: text } },
  );
}

/**
 * Parses `dir:/abs/path` or `oci://HOST[:PORT]/REPO` (REPO may have slashes). `option` names
 * where the text came from (a flag or config key) in the error.
 */
export function parseStoreLocation(text: string, option = '--store'): StoreLocation {
  if (text.startsWith('dir:')) {
    const path = text.slice('dir:'.length);
    if (path === '' || !isAbsolute(path))
      invalid(option, text, 'a dir: store needs an absolute path');
    const clean = normalize(path).replace(/(.)\/+$/, '$1');
    return { kind: 'dir', path: clean, text: `dir:${clean}` };
  }
  if (text.startsWith('oci://')) {
    const rest = text.slice('oci://'.length);
    const slash = rest.indexOf('/');
    if (slash <= 0) invalid(option, text, 'an oci:// store needs a host and a repository');
    const host = rest.slice(0, slash);
    const repository = rest.slice(slash + 1);
    const port = HOST.exec(host)?.[1];
    if (!HOST.test(host) || (port !== undefined && (Number(port) < 1 || Number(port) > 65535))) {
      invalid(
        option,
        text,
        `${JSON.stringify(host)} is not a host name or address with an optional port 1-65535`,
      );
    }
    if (repository.includes('@') || /:[^/]*$/.test(repository)) {
      invalid(
        option,
        text,
        'give the repository without a tag or digest: cohort names the tags (epoch-N, latest)',
      );
    }
    if (!REPOSITORY.test(repository)) {
      invalid(
        option,
        text,
        `repository ${JSON.stringify(repository)} must be lowercase letters, digits and separators (. _ __ -), components joined by /`,
      );
    }
    return { kind: 'oci', host, repository, text: `oci://${host}/${repository}` };
  }
  return invalid(option, text, 'the location must start with dir: or oci://');
}

/** True for hosts on loopback, where plain HTTP is acceptable (`--tls-verify=false`). */
export function isLoopbackHost(host: string): boolean {
  const name = host.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
  return name === 'localhost' || name === '::1' || /^127\.\d+\.\d+\.\d+$/.test(name);
}
