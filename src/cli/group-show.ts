import type { CommandModule } from 'yargs';
import type { CliContext } from './context.js';
import { formatGroupView } from './format-group.js';
import { JSON_OPTION } from './options.js';

interface GroupShowArgs {
  group: string;
  json: boolean;
}

export function groupShowCommand(context: CliContext): CommandModule<object, GroupShowArgs> {
  return {
    command: 'show <group>',
    describe:
      "a group's policy, schedule (last success, next due, failures), members and recoveries",
    builder: (yargs) =>
      yargs
        .positional('group', { type: 'string', demandOption: true, describe: 'group name' })
        .option('json', JSON_OPTION),
    handler: async (args) => {
      const client = await context.coordinator();
      const view = await client.groups.show(args.group);
      context.io.out(args.json ? JSON.stringify(view) + '\n' : formatGroupView(view, Date.now()));
    },
  };
}
