import type { CommandModule } from 'yargs';
import type { CliContext } from './context.js';
import { formatHistory } from './format-history.js';
import { JSON_OPTION, wholeNumber } from './options.js';
import { requireGroup } from './require-group.js';

interface HistoryArgs {
  group: string;
  json: boolean;
  last?: number;
}

export function historyCommand(context: CliContext): CommandModule<object, HistoryArgs> {
  return {
    command: 'history <group>',
    describe: "a group's rounds: epoch, kind, outcome, abort reason and culprit, time per stage",
    builder: (yargs) =>
      yargs
        .positional('group', { type: 'string', demandOption: true, describe: 'group name' })
        .option('json', JSON_OPTION)
        .option('last', {
          coerce: wholeNumber('last', 1, 1_000_000),
          describe: 'only the newest N rounds',
        }),
    handler: async (args) => {
      const client = await context.coordinator();
      let rounds = await client.history(args.group);
      if (rounds.length === 0) await requireGroup(client, args.group);
      rounds = [...rounds].sort((a, b) => a.epoch - b.epoch);
      if (args.last !== undefined) rounds = rounds.slice(-args.last);
      context.io.out(
        args.json ? JSON.stringify(rounds, null, 2) + '\n' : formatHistory(args.group, rounds),
      );
    },
  };
}
