import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CertFiles {
  cert: string;
  key: string;
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A throwaway CA in `dir`, made with the real openssl: signs server and client certificates. */
export class TestPki {
  readonly ca: string;
  private serial = 1;

  constructor(
    private readonly dir: string,
    private readonly name = 'ca',
  ) {
    this.ca = join(dir, `${name}.crt`);
    openssl(
      [
        'req',
        '-x509',
        ...EC,
        '-keyout',
        `${name}.key`,
        '-out',
        `${name}.crt`,
        '-subj',
        `/CN=cohort test ${name}`,
        '-days',
        '2',
      ],
      dir,
    );
  }

  server(): CertFiles {
    return this.issue(
      'cohortd',
      'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n',
      2,
    );
  }

  /** A client certificate with subject CN; negative days make one that has already expired. */
  client(cn: string, days = 2): CertFiles {
    return this.issue(cn, 'extendedKeyUsage=clientAuth\n', days);
  }

  private issue(cn: string, extensions: string, days: number): CertFiles {
    const base = `${this.name}-${cn.replace(/[^A-Za-z0-9]/g, '_')}-${this.serial}`;
    const ext = join(this.dir, `${base}.ext`);
    writeFileSync(ext, extensions);
    openssl(
      ['req', '-new', ...EC, '-keyout', `${base}.key`, '-out', `${base}.csr`, '-subj', `/CN=${cn}`],
      this.dir,
    );
    openssl(
      [
        'x509',
        '-req',
        '-in',
        `${base}.csr`,
        '-CA',
        `${this.name}.crt`,
        '-CAkey',
        `${this.name}.key`,
        '-set_serial',
        String(this.serial++),
        '-out',
        `${base}.crt`,
        '-days',
        String(days),
        '-extfile',
        ext,
      ],
      this.dir,
    );
    return { cert: join(this.dir, `${base}.crt`), key: join(this.dir, `${base}.key`) };
  }
}
