import type { Argv } from 'yargs';
import { repeatable, wholeNumber } from '../options.js';
import type { IssueOptions } from './issue.js';
import type { KeyType, PkiRequest } from './plan.js';

export interface PkiArgs {
  dir: string;
  node: string[];
  member: string[];
  'etcd-member': string[];
  san: string[];
  'key-type': KeyType;
  days: number;
  force: boolean;
  openssl: string;
}

/** The flags `pki init` and `pki add` share: what to issue and how. */
export function withPkiOptions<T>(yargs: Argv<T>) {
  return yargs
    .positional('dir', { type: 'string', demandOption: true, describe: 'the PKI directory' })
    .option('node', repeatable('a client pair with CN node:NAME for each node (repeat)'))
    .option('member', repeatable('a client pair with CN NAME for a member (repeat)'))
    .option(
      'etcd-member',
      repeatable("an etcd member pair etcd-NAME, and cohortd's etcd client pair (repeat)"),
    )
    .option('san', repeatable('an extra DNS name or IP in server certificates (repeat)'))
    .option('key-type', {
      choices: ['ec', 'rsa'] as const,
      default: 'ec' as KeyType,
      describe: 'EC P-256 or RSA 3072',
    })
    .option('days', {
      default: 365,
      coerce: wholeNumber('days', 1, 36500),
      describe: 'leaf lifetime in days',
    })
    .option('force', { type: 'boolean', default: false, describe: 'replace files that exist' })
    .option('openssl', {
      type: 'string',
      default: 'openssl',
      describe: 'the openssl program to run',
    });
}

export function pkiRequest(args: PkiArgs): PkiRequest {
  return {
    nodes: args.node,
    members: args.member,
    etcdMembers: args['etcd-member'],
    sans: args.san,
  };
}

export function issueOptions(
  args: PkiArgs,
  env: Readonly<Record<string, string | undefined>>,
  caDays: number,
): IssueOptions {
  return { openssl: args.openssl, env, keyType: args['key-type'], caDays, days: args.days };
}
