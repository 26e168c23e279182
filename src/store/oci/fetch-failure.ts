const TLS_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** Why a request never got an answer, and the fix, from the error undici's fetch threw. */
export function describeFetchFailure(
  error: unknown,
  host: string,
  tlsVerify: boolean,
): { why: string; fix: string } {
  // fetch wraps the socket's error in `cause`; undici's request throws it as it is.
  const own = error as
    { code?: string; message?: string; cause?: { code?: string; message?: string } } | undefined;
  const cause = own?.cause ?? own;
  const code = cause?.code ?? '';
  if (TLS_CODES.has(code)) {
    return {
      why: `its TLS certificate is not trusted (${code})`,
      fix: `give the CA that signed it (cohortd --store-ca FILE) or add it to the system's CAs`,
    };
  }
  if (/SSL|TLS|EPROTO/.test(code) || /wrong version number|ssl/i.test(cause?.message ?? '')) {
    return {
      why: `TLS failed (${code || 'handshake'})`,
      fix: tlsVerify
        ? `if ${host} is a plain-HTTP registry on loopback, start cohortd with --store-tls-verify=false`
        : `plain HTTP is used only for registries on loopback; serve TLS on ${host}`,
    };
  }
  const reason =
    code !== '' ? code : (cause?.message ?? (error as Error)?.message ?? String(error));
  return {
    why: `no answer from ${host} (${reason})`,
    fix: `check that the registry runs at ${host} and is reachable from here`,
  };
}
