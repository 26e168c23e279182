import type { Argv } from 'yargs';
import { parseDuration } from '../core/duration.js';
import { CohortError, ErrorCode } from '../core/errors.js';
import { ETCD_DEFAULTS, type EtcdOptions } from '../etcd/index.js';

/** The flags that put cohortd's state in etcd and make it one of several replicas. */
export function withEtcdFlags<T>(yargs: Argv<T>) {
  return yargs
    .option('etcd-endpoints', {
      type: 'string',
      array: true,
      requiresArg: true,
      describe:
        "keep state in etcd and run as a replica: etcd's client URLs, comma-separated or repeated (default: the embedded log in --state-dir)",
    })
    .option('etcd-ca', {
      type: 'string',
      requiresArg: true,
      describe: "CA (PEM) of etcd's server certificates",
    })
    .option('etcd-cert', {
      type: 'string',
      requiresArg: true,
      describe: "cohortd's client certificate for etcd (PEM; cohortctl pki: etcd-client.crt)",
    })
    .option('etcd-key', {
      type: 'string',
      requiresArg: true,
      describe: "cohortd's client key for etcd (PEM)",
    })
    .option('etcd-prefix', {
      type: 'string',
      requiresArg: true,
      default: ETCD_DEFAULTS.prefix,
      describe: "this installation's key prefix: several cohort installations can share one etcd",
    })
    .option('etcd-request-timeout', {
      type: 'string',
      requiresArg: true,
      describe: `bound on each etcd request, retries on other members included (Go duration; default ${ETCD_DEFAULTS.requestTimeoutMs / 1000}s)`,
    })
    .option('advertise', {
      type: 'string',
      array: true,
      requiresArg: true,
      describe:
        'host:port clients reach this replica at, as followers name the leader (repeatable; default: the TCP --listen addresses)',
    })
    .group(
      [
        'etcd-endpoints',
        'etcd-ca',
        'etcd-cert',
        'etcd-key',
        'etcd-prefix',
        'etcd-request-timeout',
        'advertise',
      ],
      'Replicas on etcd:',
    );
}

export interface RawEtcdFlags {
  etcdEndpoints?: string[];
  etcdCa?: string;
  etcdCert?: string;
  etcdKey?: string;
  etcdPrefix: string;
  etcdRequestTimeout?: string;
  advertise?: string[];
}

/** The etcd options the flags ask for; undefined without --etcd-endpoints (the embedded log). */
export function etcdOptions(args: RawEtcdFlags): EtcdOptions | undefined {
  const endpoints = (args.etcdEndpoints ?? [])
    .flatMap((text) => String(text).split(','))
    .map((text) => text.trim())
    .filter((text) => text !== '');
  const tlsGiven = [args.etcdCa, args.etcdCert, args.etcdKey].some((v) => v !== undefined);
  if (endpoints.length === 0) {
    if (tlsGiven || args.advertise !== undefined || args.etcdRequestTimeout !== undefined) {
      throw new CohortError(
        ErrorCode.Argv,
        '--etcd-ca, --etcd-cert, --etcd-key, --etcd-request-timeout and --advertise are for replicas on etcd: add --etcd-endpoints URL[,URL…]',
      );
    }
    return undefined;
  }
  if ((args.etcdCert === undefined) !== (args.etcdKey === undefined)) {
    throw new CohortError(ErrorCode.Argv, '--etcd-cert and --etcd-key go together; give both');
  }
  if (tlsGiven && args.etcdCa === undefined) {
    throw new CohortError(
      ErrorCode.Argv,
      "--etcd-cert needs --etcd-ca too: the CA of etcd's server certificates",
    );
  }
  return {
    endpoints,
    prefix: args.etcdPrefix,
    ...(args.etcdRequestTimeout === undefined
      ? {}
      : {
          requestTimeoutMs: parseDuration(args.etcdRequestTimeout, '--etcd-request-timeout', {
            min: 100,
            max: 600_000,
          }),
        }),
    ...(args.etcdCa === undefined
      ? {}
      : {
          tls: {
            ca: args.etcdCa,
            ...(args.etcdCert === undefined ? {} : { cert: args.etcdCert }),
            ...(args.etcdKey === undefined ? {} : { key: args.etcdKey }),
          },
        }),
  };
}
