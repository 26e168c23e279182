import { isIP } from 'node:net';
import { CohortError, ErrorCode } from '../../core/errors.js';
import { checkName as checkNameAs } from '../../core/names.js';

export type KeyType = 'ec' | 'rsa';

/** One certificate (and its key) that `pki init` issues from the CA. */
export interface LeafPlan {
  /** File stem: `<stem>.crt` and `<stem>.key` in the output dir. */
  stem: string;
  commonName: string;
  /** extendedKeyUsage: cohortd serves, nodes and operators connect, CRIU's page server does both. */
  usage: 'server' | 'client' | 'server-and-client';
  /** subjectAltName entries, already typed: `DNS:…` or `IP:…`. */
  altNames: string[];
}

export interface PkiRequest {
  nodes: readonly string[];
  members: readonly string[];
  sans: readonly string[];
}

export const CA_STEM = 'ca';

/** The certificates `pki init` writes, in order: cohortd's server pair, clients, the page server. */
export function planPki(request: PkiRequest): LeafPlan[] {
  const altNames = ['DNS:localhost', 'IP:127.0.0.1', ...request.sans.map(toAltName)];
  const unique = [...new Set(altNames)];
  const leaves: LeafPlan[] = [
    { stem: 'cohortd', commonName: 'cohortd', usage: 'server', altNames: unique },
  ];
  for (const node of request.nodes) {
    checkName('--node', node);
    leaves.push({
      stem: `node-${node}`,
      commonName: `node:${node}`,
      usage: 'client',
      altNames: [],
    });
  }
  for (const member of request.members) {
    checkName('--member', member);
    leaves.push({ stem: `member-${member}`, commonName: member, usage: 'client', altNames: [] });
  }
  leaves.push({ stem: 'admin', commonName: 'admin', usage: 'client', altNames: [] });
  // CRIU checks the page server's name against the address it dials (GnuTLS: SANs first).
  leaves.push({
    stem: 'page-server',
    commonName: 'criu-page-server',
    usage: 'server-and-client',
    altNames: unique,
  });
  const stems = leaves.map((leaf) => leaf.stem);
  const twice = stems.find((stem, index) => stems.indexOf(stem) !== index);
  if (twice !== undefined) {
    throw new CohortError(
      ErrorCode.Argv,
      `pki init: "${twice}" is asked for twice; name each node and member once`,
    );
  }
  return leaves;
}

/** Every file `pki init` writes, for the overwrite check. */
export function plannedFiles(leaves: readonly LeafPlan[]): string[] {
  return [CA_STEM, ...leaves.map((leaf) => leaf.stem)].flatMap((stem) => [
    `${stem}.crt`,
    `${stem}.key`,
  ]);
}

function toAltName(san: string): string {
  if (isIP(san) !== 0) return `IP:${san}`;
  if (/^(\*\.)?[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*$/.test(san))
    return `DNS:${san}`;
  throw new CohortError(
    ErrorCode.Argv,
    `--san "${san}" is neither an IP address nor a DNS name; give one of those`,
  );
}

function checkName(flag: string, name: string): void {
  checkNameAs(name, flag, ErrorCode.Argv);
}
