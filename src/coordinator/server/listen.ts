import * as grpc from '@grpc/grpc-js';
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, unlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname } from 'node:path';
import { CohortError, ErrorCode } from '../../core/errors.js';
import { formatListenAddress, type ListenAddress } from '../listen-address.js';
import type { Logger } from './logger.js';

export interface ServerTls {
  ca: string;
  cert: string;
  key: string;
}

export interface BindOptions {
  tls?: ServerTls;
  insecure?: boolean;
  logger: Logger;
}

/**
 * Binds each address: unix sockets in a 0700 directory as 0600 files; TCP only with mutual TLS
 * (client certificates required), or in plaintext when the operator passed --insecure.
 */
export async function bindAll(
  server: grpc.Server,
  addresses: ListenAddress[],
  o: BindOptions,
): Promise<string[]> {
  const tcpCredentials = addresses.some((a) => a.kind === 'tcp') ? tcpCredentialsFor(o) : undefined;
  const bound: string[] = [];
  for (const address of addresses) {
    if (address.kind === 'unix') {
      await prepareSocketPath(address.path);
      await bind(server, formatListenAddress(address), grpc.ServerCredentials.createInsecure());
      chmodSync(address.path, 0o600);
      bound.push(formatListenAddress(address));
    } else {
      const port = await bind(
        server,
        formatListenAddress(address),
        tcpCredentials ?? grpc.ServerCredentials.createInsecure(),
      );
      bound.push(`${address.host}:${port}`);
    }
  }
  return bound;
}

function tcpCredentialsFor(o: BindOptions): grpc.ServerCredentials {
  if (o.tls !== undefined) {
    const read = (path: string, what: string) => {
      try {
        return readFileSync(path);
      } catch (error) {
        throw new CohortError(
          ErrorCode.Config,
          `--tls-${what} ${path}: cannot be read (${(error as Error).message})`,
          { cause: error },
        );
      }
    };
    const key = read(o.tls.key, 'key');
    return grpc.ServerCredentials.createSsl(
      read(o.tls.ca, 'ca'),
      [{ private_key: key, cert_chain: read(o.tls.cert, 'cert') }],
      true,
    );
  }
  if (o.insecure === true) {
    o.logger.warn(
      {
        message:
          'listening on TCP without TLS: anyone who can reach the port can join, vote and change groups',
      },
      'insecure-listener',
    );
    return grpc.ServerCredentials.createInsecure();
  }
  throw new CohortError(
    ErrorCode.Config,
    'a TCP --listen needs mutual TLS: give --tls-ca, --tls-cert and --tls-key (or --insecure for a trusted network)',
  );
}

function bind(
  server: grpc.Server,
  target: string,
  credentials: grpc.ServerCredentials,
): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(target, credentials, (error, port) => {
      if (error === null) resolve(port);
      else
        reject(
          new CohortError(ErrorCode.Config, `cannot listen on ${target}: ${error.message}`, {
            cause: error,
          }),
        );
    });
  });
}

/** cohort's own runtime directory, made at need (/run is a tmpfs emptied at boot). */
const OWN_RUN_DIR = '/run/cohort';

/**
 * The socket's directory must exist (a typo must not create a tree), but for cohort's own; a
 * socket file left by a dead daemon is removed, a live one is an error.
 */
async function prepareSocketPath(path: string): Promise<void> {
  const dir = dirname(path);
  if (dir === OWN_RUN_DIR) mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (!existsSync(dir)) {
    throw new CohortError(
      ErrorCode.Config,
      `cannot listen on unix://${path}: the directory ${dir} does not exist; create it or fix the path`,
      { details: { key: '--listen' } },
    );
  }
  if (!existsSync(path)) return;
  if (!lstatSync(path).isSocket()) {
    throw new CohortError(
      ErrorCode.Config,
      `cannot listen on unix://${path}: a file that is not a socket is in the way`,
    );
  }
  if (await isListening(path)) {
    throw new CohortError(
      ErrorCode.Config,
      `cannot listen on unix://${path}: another cohortd is listening there`,
    );
  }
  unlinkSync(path);
}

function isListening(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
