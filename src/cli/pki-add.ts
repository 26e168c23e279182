import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CommandModule } from 'yargs';
import { CohortError, ErrorCode } from '../core/errors.js';
import type { CliContext } from './context.js';
import { issueLeaf } from './pki/issue.js';
import { issueOptions, pkiRequest, withPkiOptions, type PkiArgs } from './pki/options.js';
import { CA_STEM, planAdditions } from './pki/plan.js';
import { leafRows, reportPairs, writePairs } from './pki/write-pairs.js';

export function pkiAddCommand(context: CliContext): CommandModule<object, PkiArgs> {
  return {
    command: 'add <dir>',
    describe: 'issue more pairs (a new node, member or etcd member) from the CA that pki init made',
    builder: (yargs) => withPkiOptions(yargs),
    handler: async (args) => {
      const dir = resolve(args.dir);
      for (const file of [`${CA_STEM}.crt`, `${CA_STEM}.key`]) {
        if (!existsSync(join(dir, file))) {
          throw new CohortError(
            ErrorCode.Argv,
            `pki add: ${dir} has no ${file}; give the directory cohortctl pki init wrote, or run pki init first`,
          );
        }
      }
      const leaves = planAdditions(pkiRequest(args));
      if (leaves.length === 0) {
        throw new CohortError(
          ErrorCode.Argv,
          'pki add: name what to add: --node, --member or --etcd-member',
        );
      }
      const options = issueOptions(args, context.env, 0);
      await writePairs({
        verb: 'add',
        dir,
        files: leaves.flatMap((leaf) => [`${leaf.stem}.crt`, `${leaf.stem}.key`]),
        force: args.force,
        issue: async (work) => {
          for (const leaf of leaves) await issueLeaf(work, leaf, options, dir);
        },
      });
      reportPairs(context.io, dir, leafRows(leaves, args.days));
    },
  };
}
