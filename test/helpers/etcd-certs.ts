import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const COHORTCTL = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'cohortctl');

/** A key pair by file path, as etcd and the cohort etcd client take them. */
export interface CertPair {
  cert: string;
  key: string;
}

export interface EtcdCerts {
  /** The PKI directory `cohortctl pki init` wrote (its CA also signs cohortd's own pairs). */
  dir: string;
  ca: string;
  /** Each etcd member's pair (etcd-NAME): serverAuth and clientAuth, so peers dial with it too. */
  members: Record<string, CertPair>;
  /** cohortd's client pair for etcd (etcd-client, CN cohortd). */
  client: CertPair;
  /** cohortd's server pair and the admin client pair, for replicas served over mutual TLS. */
  cohortd: CertPair;
  admin: CertPair;
  /** A node agent's pair (CN node:agent-1). */
  node: CertPair;
  /** A client pair from another CA: etcd must refuse it. */
  strangerClient: CertPair;
}

/**
 * The whole PKI of a test cluster, issued the way an operator would: `cohortctl pki init DIR
 * --etcd-member NAME …` (with extra server names for addresses a test's network namespace adds),
 * and a second PKI whose etcd client pair no member trusts.
 */
export function makeEtcdCerts(
  dir: string,
  names: readonly string[],
  sans: readonly string[] = [],
): EtcdCerts {
  const pki = (into: string, members: readonly string[]): void => {
    mkdirSync(dirname(into), { recursive: true });
    execFileSync(
      COHORTCTL,
      [
        'pki',
        'init',
        into,
        ...members.flatMap((name) => ['--etcd-member', name]),
        ...['--node', 'agent-1'],
        ...sans.flatMap((san) => ['--san', san]),
        '--days',
        '2',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
  };
  const own = join(dir, 'pki');
  const stranger = join(dir, 'stranger-pki');
  pki(own, names);
  pki(stranger, ['x']);
  const pair = (base: string, stem: string): CertPair => ({
    cert: join(base, `${stem}.crt`),
    key: join(base, `${stem}.key`),
  });
  return {
    dir: own,
    ca: join(own, 'ca.crt'),
    members: Object.fromEntries(names.map((name) => [name, pair(own, `etcd-${name}`)])),
    client: pair(own, 'etcd-client'),
    cohortd: pair(own, 'cohortd'),
    admin: pair(own, 'admin'),
    node: pair(own, 'node-agent-1'),
    strangerClient: pair(stranger, 'etcd-client'),
  };
}
