import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CommandModule } from 'yargs';
import { CohortError, ErrorCode } from '../core/errors.js';
import type { CliContext } from './context.js';
import { repeatable, wholeNumber } from './options.js';
import { issueCa, issueLeaf, type IssueOptions } from './pki/issue.js';
import { CA_STEM, planPki, plannedFiles, type KeyType } from './pki/plan.js';
import { formatTable } from './table.js';

interface PkiInitArgs {
  dir: string;
  node: string[];
  member: string[];
  san: string[];
  'key-type': KeyType;
  'ca-days': number;
  days: number;
  force: boolean;
  openssl: string;
}

export function pkiInitCommand(context: CliContext): CommandModule<object, PkiInitArgs> {
  return {
    command: 'init <dir>',
    describe: 'create a CA, the cohortd server pair, client pairs and the CRIU page-server pair',
    builder: (yargs) =>
      yargs
        .positional('dir', { type: 'string', demandOption: true, describe: 'output directory' })
        .option('node', repeatable('a client pair with CN node:NAME for each node (repeat)'))
        .option('member', repeatable('a client pair with CN NAME for a member (repeat)'))
        .option('san', repeatable("an extra DNS name or IP in cohortd's certificate (repeat)"))
        .option('key-type', {
          choices: ['ec', 'rsa'] as const,
          default: 'ec' as KeyType,
          describe: 'EC P-256 or RSA 3072',
        })
        .option('ca-days', {
          default: 3650,
          coerce: wholeNumber('ca-days', 1, 36500),
          describe: 'CA lifetime in days',
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
        }),
    handler: (args) => pkiInit(context, args),
  };
}

async function pkiInit(context: CliContext, args: PkiInitArgs): Promise<void> {
  const dir = resolve(args.dir);
  const leaves = planPki({ nodes: args.node, members: args.member, sans: args.san });
  const files = plannedFiles(leaves);
  const existing = files.filter((file) => existsSync(join(dir, file)));
  if (existing.length > 0 && !args.force) {
    throw new CohortError(
      ErrorCode.Argv,
      `pki init: ${dir} already holds ${existing.join(', ')}; pass --force to replace them`,
    );
  }
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  // Issue into a private dir beside the output, then move in: a failure leaves nothing half-made.
  const work = mkdtempSync(join(dir, '.pki-init-'));
  try {
    const options: IssueOptions = {
      openssl: args.openssl,
      env: context.env,
      keyType: args['key-type'],
      caDays: args['ca-days'],
      days: args.days,
    };
    await issueCa(work, options);
    for (const leaf of leaves) await issueLeaf(work, leaf, options);
    for (const file of files) renameSync(join(work, file), join(dir, file));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const rows = [
    [`${CA_STEM}.crt`, 'cohort CA', 'certificate authority', `${args['ca-days']} days`],
    ...leaves.map((leaf) => [`${leaf.stem}.crt`, leaf.commonName, leaf.usage, `${args.days} days`]),
  ];
  context.io.out(`wrote to ${dir} (keys are *.key, mode 0600):\n`);
  context.io.out(formatTable(['CERTIFICATE', 'CN', 'USE', 'LIFETIME'], rows));
}
