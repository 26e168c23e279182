import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../helpers/run.js';
import { cohortctl } from './support/run-cli.js';

const PATH_ENV = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' };

function cert(dir: string, stem: string): X509Certificate {
  return new X509Certificate(readFileSync(join(dir, `${stem}.crt`)));
}

describe('cohortctl pki init', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cohort-pki-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('issues a CA, cohortd, node, member, admin and page-server pairs that chain to the CA', async () => {
    const result = await cohortctl(
      [
        'pki',
        'init',
        dir,
        '--node',
        'worker-1',
        '--node',
        'worker-2',
        '--member',
        'db',
        '--san',
        'cohortd.internal',
        '--san',
        '10.0.0.7',
      ],
      { env: PATH_ENV },
    );
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const stems = [
      'ca',
      'cohortd',
      'node-worker-1',
      'node-worker-2',
      'member-db',
      'admin',
      'page-server',
    ];
    expect(readdirSync(dir).sort()).toEqual(
      stems.flatMap((stem) => [`${stem}.crt`, `${stem}.key`]).sort(),
    );
    const ca = cert(dir, 'ca');
    expect(ca.ca).toBe(true);
    expect(ca.subject).toBe('CN=cohort CA');
    const subjects: Record<string, string> = {
      cohortd: 'CN=cohortd',
      'node-worker-1': 'CN=node:worker-1',
      'node-worker-2': 'CN=node:worker-2',
      'member-db': 'CN=db',
      admin: 'CN=admin',
      'page-server': 'CN=criu-page-server',
    };
    for (const [stem, subject] of Object.entries(subjects)) {
      const leaf = cert(dir, stem);
      expect(leaf.subject).toBe(subject);
      expect(leaf.ca).toBe(false);
      expect(leaf.checkIssued(ca)).toBe(true);
      expect(leaf.verify(ca.publicKey)).toBe(true);
      expect(createPrivateKey(readFileSync(join(dir, `${stem}.key`))).asymmetricKeyType).toBe('ec');
      expect(statSync(join(dir, `${stem}.key`)).mode & 0o777).toBe(0o600);
      const verified = await run('openssl', [
        'verify',
        '-CAfile',
        join(dir, 'ca.crt'),
        join(dir, `${stem}.crt`),
      ]);
      expect(verified.exitCode).toBe(0);
    }
    expect(statSync(join(dir, 'ca.key')).mode & 0o777).toBe(0o600);
    const server = cert(dir, 'cohortd');
    expect(server.subjectAltName).toBe(
      'DNS:localhost, IP Address:127.0.0.1, DNS:cohortd.internal, IP Address:10.0.0.7',
    );
    expect(server.checkHost('cohortd.internal')).toBe('cohortd.internal');
    expect(cert(dir, 'page-server').checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(cert(dir, 'admin').keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
    expect(server.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    // Lifetimes: the CA ten years, leaves one year (by default).
    const days = (c: X509Certificate) =>
      (Date.parse(c.validTo) - Date.parse(c.validFrom)) / 86_400_000;
    expect(Math.round(days(ca))).toBe(3650);
    expect(Math.round(days(server))).toBe(365);
    expect(result.stdout).toContain('node-worker-1.crt');
  });

  it('makes RSA 3072 keys and other lifetimes when asked', async () => {
    const result = await cohortctl(
      ['pki', 'init', dir, '--key-type', 'rsa', '--days', '30', '--ca-days', '90'],
      { env: PATH_ENV },
    );
    expect(result.code).toBe(0);
    const key = createPrivateKey(readFileSync(join(dir, 'cohortd.key')));
    expect(key.asymmetricKeyType).toBe('rsa');
    expect(key.asymmetricKeyDetails?.modulusLength).toBe(3072);
    const leaf = cert(dir, 'admin');
    expect(Math.round((Date.parse(leaf.validTo) - Date.parse(leaf.validFrom)) / 86_400_000)).toBe(
      30,
    );
  });

  it('refuses to overwrite existing files without --force, and leaves them as they were', async () => {
    writeFileSync(join(dir, 'ca.key'), 'precious\n');
    const refused = await cohortctl(['pki', 'init', dir], { env: PATH_ENV });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /^cohortctl: pki init: .* already holds ca\.key; pass --force to replace them\n$/,
    );
    expect(readFileSync(join(dir, 'ca.key'), 'utf8')).toBe('precious\n');
    expect(readdirSync(dir)).toEqual(['ca.key']);
    const forced = await cohortctl(['pki', 'init', dir, '--force'], { env: PATH_ENV });
    expect(forced.code).toBe(0);
    expect(readFileSync(join(dir, 'ca.key'), 'utf8')).toContain('PRIVATE KEY');
  });

  it('exits 5 when openssl is missing, leaving nothing behind', async () => {
    const result = await cohortctl(['pki', 'init', dir, '--openssl', '/nonexistent/openssl'], {
      env: PATH_ENV,
    });
    expect(result.code).toBe(5);
    expect(result.stderr).toBe(
      'cohortctl: openssl not found (/nonexistent/openssl); install it (Debian: apt-get install openssl) or pass --openssl PATH\n',
    );
    expect(readdirSync(dir)).toEqual([]);
  });

  it.each([
    [['--san', 'not a name'], /--san "not a name" is neither an IP address nor a DNS name/],
    [['--node', 'bad/name'], /--node "bad\/name" is not a name/],
    [['--member', 'db', '--member', 'db'], /"member-db" is asked for twice/],
    [['--days', '0'], /--days must be a whole number from 1 to 36500/],
    [['--member', 'admin'], /--member "admin": cohortd reads that CN as its admin identity/],
  ])('exits 2 on bad input %j', async (flags, message) => {
    const result = await cohortctl(['pki', 'init', dir, ...flags], { env: PATH_ENV });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('cohortctl pki add', () => {
  let dir: string;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cohort-pki-add-'));
    expect((await cohortctl(['pki', 'init', dir, '--node', 'n1'], { env: PATH_ENV })).code).toBe(0);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('issues a new node, member and etcd member from the existing CA, leaving the rest as it was', async () => {
    const before = Object.fromEntries(
      readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')]),
    );
    const result = await cohortctl(
      [
        'pki',
        'add',
        dir,
        '--node',
        'n2',
        '--member',
        'db',
        '--etcd-member',
        'e1',
        '--san',
        '10.0.0.9',
      ],
      { env: PATH_ENV },
    );
    expect(result).toMatchObject({ code: 0, stderr: '' });
    for (const [file, text] of Object.entries(before))
      expect(readFileSync(join(dir, file), 'utf8')).toBe(text);
    const ca = cert(dir, 'ca');
    for (const [stem, subject] of [
      ['node-n2', 'CN=node:n2'],
      ['member-db', 'CN=db'],
      ['etcd-e1', 'CN=etcd-e1'],
      ['etcd-client', 'CN=cohortd'],
    ] as const) {
      const leaf = cert(dir, stem);
      expect(leaf.subject).toBe(subject);
      expect(leaf.verify(ca.publicKey)).toBe(true);
      expect(statSync(join(dir, `${stem}.key`)).mode & 0o777).toBe(0o600);
    }
    expect(cert(dir, 'etcd-e1').subjectAltName).toContain('IP Address:10.0.0.9');
  });

  it('refuses to replace a pair that exists, and a directory with no CA', async () => {
    const again = await cohortctl(['pki', 'add', dir, '--node', 'n1'], { env: PATH_ENV });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(
      /pki add: .* already holds node-n1\.crt, node-n1\.key; pass --force/,
    );
    const empty = mkdtempSync(join(tmpdir(), 'cohort-pki-none-'));
    const none = await cohortctl(['pki', 'add', empty, '--node', 'n3'], { env: PATH_ENV });
    rmSync(empty, { recursive: true, force: true });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/has no ca\.crt; give the directory cohortctl pki init wrote/);
  });
});
