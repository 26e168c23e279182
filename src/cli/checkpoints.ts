import type { CommandModule } from 'yargs';
import type { CliContext } from './context.js';
import { formatCheckpoints } from './format-checkpoints.js';
import { JSON_OPTION } from './options.js';

interface CheckpointsArgs {
  group: string;
  from?: string;
  json: boolean;
}

export function checkpointsCommand(context: CliContext): CommandModule<object, CheckpointsArgs> {
  return {
    command: 'checkpoints <group>',
    describe: "a group's stored checkpoints, newest first: epoch, time, members, sizes, digests",
    builder: (yargs) =>
      yargs
        .positional('group', { type: 'string', demandOption: true, describe: 'group name' })
        .option('from', { type: 'string', requiresArg: true, describe: 'only those in this store' })
        .option('json', JSON_OPTION),
    handler: async (args) => {
      const client = await context.coordinator();
      const { checkpoints } = await client.groups.checkpoints(args.group, args.from ?? '');
      context.io.out(
        args.json ? JSON.stringify(checkpoints) + '\n' : formatCheckpoints(args.group, checkpoints),
      );
    },
  };
}
