import { resolve } from 'node:path';
import type { CommandModule } from 'yargs';
import type { CliContext } from './context.js';
import { wholeNumber } from './options.js';
import { issueCa, issueLeaf } from './pki/issue.js';
import { issueOptions, pkiRequest, withPkiOptions, type PkiArgs } from './pki/options.js';
import { CA_STEM, planPki, plannedFiles } from './pki/plan.js';
import { leafRows, reportPairs, writePairs } from './pki/write-pairs.js';

interface PkiInitArgs extends PkiArgs {
  'ca-days': number;
}

export function pkiInitCommand(context: CliContext): CommandModule<object, PkiInitArgs> {
  return {
    command: 'init <dir>',
    describe: 'create a CA, the cohortd server pair, client pairs and the CRIU page-server pair',
    builder: (yargs) =>
      withPkiOptions(yargs).option('ca-days', {
        default: 3650,
        coerce: wholeNumber('ca-days', 1, 36500),
        describe: 'CA lifetime in days',
      }),
    handler: async (args) => {
      const dir = resolve(args.dir);
      const leaves = planPki(pkiRequest(args));
      const options = issueOptions(args, context.env, args['ca-days']);
      await writePairs({
        verb: 'init',
        dir,
        files: plannedFiles(leaves),
        force: args.force,
        issue: async (work) => {
          await issueCa(work, options);
          for (const leaf of leaves) await issueLeaf(work, leaf, options);
        },
      });
      reportPairs(context.io, dir, [
        [`${CA_STEM}.crt`, 'cohort CA', 'certificate authority', `${args['ca-days']} days`],
        ...leafRows(leaves, args.days),
      ]);
    },
  };
}
