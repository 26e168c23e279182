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
  /** etcd members: each gets a pair for both sides (etcd peers dial each other with it). */
  etcdMembers?: readonly string[];
  sans: readonly string[];
}

/** CNs the coordinator reads as something else: a member may not be named like them. */
const RESERVED_MEMBERS: ReadonlySet<string> = new Set(['admin', 'cohortd']);

export const CA_STEM = 'ca';

/** The certificates `pki init` writes, in order: cohortd's server pair, clients, the page server. */
export function planPki(request: PkiRequest): LeafPlan[] {
  const unique = serverNames(request.sans);
  const leaves: LeafPlan[] = [
    { stem: 'cohortd', commonName: 'cohortd', usage: 'server', altNames: unique },
    ...planAdditions(request),
    { stem: 'admin', commonName: 'admin', usage: 'client', altNames: [] },
    // CRIU checks the page server's name against the address it dials (GnuTLS: SANs first).
    {
      stem: 'page-server',
      commonName: 'criu-page-server',
      usage: 'server-and-client',
      altNames: unique,
    },
  ];
  return checkUnique(leaves);
}

/** What `pki add` issues from an existing CA: exactly the nodes, members and etcd members named. */
export function planAdditions(request: PkiRequest): LeafPlan[] {
  const leaves: LeafPlan[] = [];
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
    if (RESERVED_MEMBERS.has(member)) {
      throw new CohortError(
        ErrorCode.Argv,
        `--member "${member}": cohortd reads that CN as its ${member} identity, not a member's; name the member otherwise`,
      );
    }
    leaves.push({ stem: `member-${member}`, commonName: member, usage: 'client', altNames: [] });
  }
  const etcd = request.etcdMembers ?? [];
  for (const name of etcd) {
    checkName('--etcd-member', name);
    leaves.push({
      stem: `etcd-${name}`,
      commonName: `etcd-${name}`,
      usage: 'server-and-client',
      altNames: serverNames(request.sans),
    });
  }
  // cohortd's client pair for etcd goes with the etcd members' pairs.
  if (etcd.length > 0) {
    leaves.push({ stem: 'etcd-client', commonName: 'cohortd', usage: 'client', altNames: [] });
  }
  return checkUnique(leaves);
}

function serverNames(sans: readonly string[]): string[] {
  return [...new Set(['DNS:localhost', 'IP:127.0.0.1', ...sans.map(toAltName)])];
}

function checkUnique(leaves: LeafPlan[]): LeafPlan[] {
  const stems = leaves.map((leaf) => leaf.stem);
  const twice = stems.find((stem, index) => stems.indexOf(stem) !== index);
  if (twice !== undefined) {
    throw new CohortError(
      ErrorCode.Argv,
      `pki: "${twice}" is asked for twice; name each node and member once`,
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
