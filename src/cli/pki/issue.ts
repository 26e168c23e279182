import { randomBytes } from 'node:crypto';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runOpenssl } from './openssl.js';
import { CA_STEM, type KeyType, type LeafPlan } from './plan.js';

export interface IssueOptions {
  openssl: string;
  env: Readonly<Record<string, string | undefined>>;
  keyType: KeyType;
  caDays: number;
  days: number;
}

/** A minimal openssl config of our own, so the system's openssl.cnf cannot change what we issue. */
const REQ_CONFIG = `[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[v3_ca]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
`;

const KEY_ARGS: Record<KeyType, string[]> = {
  ec: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'],
  rsa: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:3072'],
};

const EXTENDED_USAGE: Record<LeafPlan['usage'], string> = {
  server: 'serverAuth',
  client: 'clientAuth',
  'server-and-client': 'serverAuth, clientAuth',
};

/** Creates the CA in `dir`: ca.key (0600) and a self-signed ca.crt. */
export async function issueCa(dir: string, options: IssueOptions): Promise<void> {
  const config = join(dir, 'openssl.cnf');
  writeFileSync(config, REQ_CONFIG, { mode: 0o600 });
  const key = await makeKey(dir, CA_STEM, options);
  await runOpenssl(
    options.openssl,
    [
      'req',
      '-x509',
      '-new',
      '-key',
      key,
      '-sha256',
      '-days',
      String(options.caDays),
      '-subj',
      '/CN=cohort CA',
    ].concat([
      '-config',
      config,
      '-extensions',
      'v3_ca',
      '-set_serial',
      serial(),
      '-out',
      join(dir, `${CA_STEM}.crt`),
    ]),
    options.env,
  );
}

/** Creates `<stem>.key` (0600) and `<stem>.crt` in `dir`, signed by the CA in `caDir`. */
export async function issueLeaf(
  dir: string,
  leaf: LeafPlan,
  options: IssueOptions,
  caDir = dir,
): Promise<void> {
  writeFileSync(join(dir, 'openssl.cnf'), REQ_CONFIG, { mode: 0o600 });
  const key = await makeKey(dir, leaf.stem, options);
  const csr = join(dir, `${leaf.stem}.csr`);
  await runOpenssl(
    options.openssl,
    [
      'req',
      '-new',
      '-key',
      key,
      '-subj',
      `/CN=${leaf.commonName}`,
      '-config',
      join(dir, 'openssl.cnf'),
      '-out',
      csr,
    ],
    options.env,
  );
  const extensions = join(dir, `${leaf.stem}.ext`);
  writeFileSync(extensions, leafExtensions(leaf, options.keyType), { mode: 0o600 });
  await runOpenssl(
    options.openssl,
    [
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      join(caDir, `${CA_STEM}.crt`),
      '-CAkey',
      join(caDir, `${CA_STEM}.key`),
    ]
      .concat([
        '-set_serial',
        serial(),
        '-days',
        String(options.days),
        '-sha256',
        '-extfile',
        extensions,
      ])
      .concat(['-out', join(dir, `${leaf.stem}.crt`)]),
    options.env,
  );
}

function leafExtensions(leaf: LeafPlan, keyType: KeyType): string {
  // RSA keys also encipher (TLS key transport); EC keys only sign.
  const usage = keyType === 'rsa' ? 'digitalSignature, keyEncipherment' : 'digitalSignature';
  const lines = [
    'basicConstraints = critical, CA:FALSE',
    `keyUsage = critical, ${usage}`,
    `extendedKeyUsage = ${EXTENDED_USAGE[leaf.usage]}`,
    'subjectKeyIdentifier = hash',
    'authorityKeyIdentifier = keyid',
  ];
  if (leaf.altNames.length > 0) lines.push(`subjectAltName = ${leaf.altNames.join(', ')}`);
  return lines.join('\n') + '\n';
}

async function makeKey(dir: string, stem: string, options: IssueOptions): Promise<string> {
  const key = join(dir, `${stem}.key`);
  await runOpenssl(
    options.openssl,
    ['genpkey', ...KEY_ARGS[options.keyType], '-out', key],
    options.env,
  );
  chmodSync(key, 0o600);
  return key;
}

/** A positive random 127-bit serial (RFC 5280: unique per CA, at most 20 octets). */
function serial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return '0x' + bytes.toString('hex');
}
