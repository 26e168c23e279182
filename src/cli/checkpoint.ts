import type { CommandModule } from 'yargs';
import type { CliContext } from './context.js';
import { criuFlags, withCriuFlags, type CriuArgs } from './criu-flags.js';
import { runOperation } from './operation.js';
import { JSON_OPTION, progressInterval } from './options.js';

interface CheckpointArgs extends CriuArgs {
  group: string;
  store?: string;
  json: boolean;
  interval: number;
}

export function checkpointCommand(context: CliContext): CommandModule<object, CheckpointArgs> {
  return {
    command: 'checkpoint <group>',
    describe: 'checkpoint every member of a group together, on every node, and store it',
    builder: (yargs) =>
      withCriuFlags(
        yargs.positional('group', { type: 'string', demandOption: true, describe: 'group name' }),
      )
        .option('store', {
          type: 'string',
          requiresArg: true,
          describe:
            "where to store it: dir:/path or oci://host[:port]/repo (default: the group's policy)",
        })
        .option('json', JSON_OPTION)
        .option('interval', progressInterval()),
    handler: (args) =>
      runOperation(context, {
        kind: 'checkpoint',
        group: args.group,
        json: args.json,
        intervalMs: args.interval,
        // A store given here or in the group's policy: a checkpoint not stored there failed.
        wantStored: (policyStore) => args.store !== undefined || policyStore !== '',
        run: (client) =>
          client.groups.checkpoint({
            group: args.group,
            store: args.store ?? '',
            options: criuFlags(args),
          }),
      }),
  };
}
