import type { PeerCertificate } from 'node:tls';
import { CohortError, ErrorCode } from '../../core/errors.js';

/** Who is calling: from the client certificate's CN over TLS; a unix socket is trusted. */
export type Identity =
  | { kind: 'trusted' }
  | { kind: 'admin' }
  | { kind: 'node'; name: string }
  | { kind: 'member'; name: string };

export const ADMIN_CN = 'admin';
export const NODE_CN_PREFIX = 'node:';

/** The part of a grpc-js server call that knows the transport. */
export interface AuthSource {
  getAuthContext(): { transportSecurityType?: string; sslPeerCertificate?: PeerCertificate } | null;
}

export function identityOf(call: AuthSource): Identity {
  const auth = call.getAuthContext();
  const certificate = auth?.sslPeerCertificate;
  // No TLS: a root-only unix socket, or plaintext TCP the operator allowed with --insecure.
  if (auth?.transportSecurityType !== 'ssl' || certificate === undefined)
    return { kind: 'trusted' };
  const raw = (certificate.subject as Record<string, string | string[] | undefined> | undefined)
    ?.CN;
  const cn = Array.isArray(raw) ? raw[0] : raw;
  if (cn === undefined || cn === '') {
    throw new CohortError(
      ErrorCode.Permission,
      'the client certificate has no subject CN; issue it with CN=admin, CN=node:<name> or CN=<member>',
    );
  }
  if (cn === ADMIN_CN) return { kind: 'admin' };
  if (cn.startsWith(NODE_CN_PREFIX)) return { kind: 'node', name: cn.slice(NODE_CN_PREFIX.length) };
  return { kind: 'member', name: cn };
}

export type Verb =
  | 'Status'
  | 'ApplyGroup'
  | 'ListGroups'
  | 'DeleteGroup'
  | 'History'
  | 'GetDecision'
  | 'ReportComplete'
  | 'Checkpoint'
  | 'Restore'
  | 'SetPolicy'
  | 'Show'
  | 'Checkpoints'
  | 'Nodes';

/** What a member or node identity may call besides its own stream: reads, and its own completion. */
const MEMBER_VERBS: readonly Verb[] = ['Status', 'GetDecision', 'ReportComplete'];
const NODE_VERBS: readonly Verb[] = [
  ...MEMBER_VERBS,
  'ListGroups',
  'History',
  'Show',
  'Checkpoints',
  'Nodes',
];

export function authorizeVerb(identity: Identity, verb: Verb, member?: string): void {
  if (identity.kind === 'trusted' || identity.kind === 'admin') return;
  const allowed = identity.kind === 'node' ? NODE_VERBS : MEMBER_VERBS;
  if (!allowed.includes(verb)) {
    throw new CohortError(
      ErrorCode.Permission,
      `${verb} needs the admin identity; this client's certificate is CN=${describe(identity)}`,
      { details: { verb } },
    );
  }
  if (identity.kind === 'member' && member !== undefined) authorizeMember(identity, member);
}

/** A member certificate acts only as that member; admin and node certificates act for any. */
export function authorizeMember(identity: Identity, member: string): void {
  if (identity.kind !== 'member' || identity.name === member) return;
  throw new CohortError(
    ErrorCode.Permission,
    `this client's certificate is for member ${identity.name}; it may not act as member ${member}`,
    { details: { member, certificate: identity.name } },
  );
}

function describe(identity: Identity): string {
  return identity.kind === 'node'
    ? `${NODE_CN_PREFIX}${identity.name}`
    : identity.kind === 'member'
      ? identity.name
      : identity.kind;
}
