import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A key pair by file path, as etcd and the cohort etcd client take them. */
export interface CertPair {
  cert: string;
  key: string;
}

export interface EtcdCerts {
  ca: string;
  /** Server and peer certificate: IP SAN 127.0.0.1, serverAuth and clientAuth. */
  server: CertPair;
  client: CertPair;
  /** A client certificate from another CA: etcd must refuse it. */
  strangerClient: CertPair;
}

/**
 * The whole PKI of a test cluster, made with openssl (EC P-256 keys: instant). Kept to this one
 * function so that `cohortctl pki` can take its place.
 */
export function makeEtcdCerts(dir: string): EtcdCerts {
  mkdirSync(dir, { recursive: true });
  const path = (name: string): string => join(dir, name);
  const ssl = (...args: string[]): void => {
    execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  };
  const makeCa = (name: string): void => {
    ssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', path(`${name}.key`));
    ssl(
      ...['req', '-x509', '-new', '-key', path(`${name}.key`), '-subj', `/CN=${name}`],
      ...['-days', '2', '-out', path(`${name}.crt`)],
      ...['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=keyCertSign'],
    );
  };
  const issue = (name: string, ca: string, usage: string, san?: string): CertPair => {
    const ext = path(`${name}.ext`);
    const lines = [`extendedKeyUsage=${usage}`, 'keyUsage=digitalSignature'];
    if (san !== undefined) lines.push(`subjectAltName=${san}`);
    writeFileSync(ext, lines.join('\n') + '\n');
    ssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', path(`${name}.key`));
    ssl(
      'req',
      '-new',
      '-key',
      path(`${name}.key`),
      '-subj',
      `/CN=${name}`,
      '-out',
      path(`${name}.csr`),
    );
    ssl(
      ...['x509', '-req', '-in', path(`${name}.csr`), '-CA', path(`${ca}.crt`)],
      ...['-CAkey', path(`${ca}.key`), '-CAcreateserial', '-days', '2'],
      ...['-extfile', ext, '-out', path(`${name}.crt`)],
    );
    return { cert: path(`${name}.crt`), key: path(`${name}.key`) };
  };
  makeCa('ca');
  makeCa('stranger-ca');
  return {
    ca: path('ca.crt'),
    server: issue('server', 'ca', 'serverAuth,clientAuth', 'IP:127.0.0.1,DNS:localhost'),
    client: issue('client', 'ca', 'clientAuth'),
    strangerClient: issue('stranger-client', 'stranger-ca', 'clientAuth'),
  };
}
