import { execFileSync } from 'node:child_process';
import { createPrivateKey, randomUUID, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';

/**
 * A token server for distribution's token auth, for the Bearer tests: it checks Basic
 * credentials and signs RS256 JWTs (x5c header) granting the scopes asked for.
 */
export interface TokenServer {
  realm: string;
  service: string;
  issuer: string;
  certFile: string;
  /** How many tokens it issued, and the scopes of the last request. */
  issued: { count: number; lastScopes: string[] };
  close(): Promise<void>;
}

export async function startTokenServer(
  dir: string,
  users: Record<string, string>,
): Promise<TokenServer> {
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'token.key',
      '-out',
      'token.crt',
      '-days',
      '2',
      '-subj',
      '/CN=cohort test token issuer',
    ],
    { cwd: dir, stdio: 'ignore' },
  );
  const key = createPrivateKey(readFileSync(join(dir, 'token.key')));
  const certDer = execFileSync('openssl', ['x509', '-in', 'token.crt', '-outform', 'DER'], {
    cwd: dir,
  });
  const service = 'cohort-test-registry';
  const issuer = 'cohort-test-issuer';
  const issued = { count: 0, lastScopes: [] as string[] };
  const b64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url');
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://token');
    const [user, password] = Buffer.from(
      (request.headers.authorization ?? '').replace(/^Basic /, ''),
      'base64',
    )
      .toString()
      .split(':');
    if (user === undefined || users[user] === undefined || users[user] !== password) {
      response
        .writeHead(401, { 'content-type': 'application/json' })
        .end('{"details":"bad credentials"}');
      return;
    }
    const scopes = url.searchParams.getAll('scope');
    issued.count += 1;
    issued.lastScopes = scopes;
    const access = scopes.map((scope) => {
      const [type = '', name = '', actions = ''] = scope.split(':');
      return { type, name, actions: actions.split(',') };
    });
    const now = Math.floor(Date.now() / 1000);
    const header = b64url(
      JSON.stringify({ typ: 'JWT', alg: 'RS256', x5c: [certDer.toString('base64')] }),
    );
    const claims = b64url(
      JSON.stringify({
        iss: issuer,
        sub: user,
        aud: service,
        exp: now + 300,
        nbf: now - 10,
        iat: now,
        jti: randomUUID(),
        access,
      }),
    );
    const signature = b64url(sign('sha256', Buffer.from(`${header}.${claims}`), key));
    response
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ token: `${header}.${claims}.${signature}`, expires_in: 300 }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    service,
    issuer,
    certFile: join(dir, 'token.crt'),
    issued,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
