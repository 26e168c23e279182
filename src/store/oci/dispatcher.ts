import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { Agent } from 'undici';
import { CohortError, ErrorCode } from '../../core/errors.js';

/** Where Debian and Fedora keep the system's CA bundle (with CAs an admin added). */
const SYSTEM_CA_FILES = ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt'];

/** CA certificates to verify a registry with: Node's, the system's, and `caFile` when given. */
export function trustedCas(caFile?: string): string[] {
  const cas = [...rootCertificates];
  for (const file of SYSTEM_CA_FILES) {
    try {
      cas.push(readFileSync(file, 'utf8'));
      break;
    } catch {
      // Not this distribution's path.
    }
  }
  if (caFile !== undefined) {
    try {
      cas.push(readFileSync(caFile, 'utf8'));
    } catch (error) {
      throw new CohortError(
        ErrorCode.StoreLocation,
        `CA file ${caFile} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)}); give a readable PEM file`,
        { cause: error, details: { file: caFile } },
      );
    }
  }
  return cas;
}

/** The HTTP agent of one store: verified TLS (or none with tlsVerify false), kept-alive connections. */
export function makeDispatcher(options: { tlsVerify: boolean; caFile?: string }): Agent {
  return new Agent({
    connect: options.tlsVerify ? { ca: trustedCas(options.caFile) } : { rejectUnauthorized: false },
    keepAliveTimeout: 10_000,
    connections: 16,
  });
}
