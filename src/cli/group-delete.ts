import type { CommandModule } from 'yargs';
import type { CliContext } from './context.js';
import { unknownGroup } from './require-group.js';

interface GroupDeleteArgs {
  name: string;
}

export function groupDeleteCommand(context: CliContext): CommandModule<object, GroupDeleteArgs> {
  return {
    command: 'delete <name>',
    aliases: ['rm'],
    describe: "delete a group's manifest (its history stays)",
    builder: (yargs) =>
      yargs.positional('name', { type: 'string', demandOption: true, describe: 'group name' }),
    handler: async (args) => {
      const client = await context.coordinator();
      const known = await client.listGroups();
      if (!known.some((group) => group.name === args.name)) {
        throw unknownGroup(
          args.name,
          known.map((group) => group.name),
        );
      }
      await client.deleteGroup(args.name);
      context.io.out(`group ${args.name} deleted\n`);
    },
  };
}
