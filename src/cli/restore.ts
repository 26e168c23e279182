import type { CommandModule } from 'yargs';
import type { CliContext } from './context.js';
import { criuFlags, withCriuFlags, type CriuArgs } from './criu-flags.js';
import { runOperation } from './operation.js';
import { JSON_OPTION, progressInterval, wholeNumber } from './options.js';

interface RestoreArgs extends CriuArgs {
  group: string;
  from?: string;
  epoch?: number;
  json: boolean;
  interval: number;
}

export function restoreCommand(context: CliContext): CommandModule<object, RestoreArgs> {
  return {
    command: 'restore <group>',
    describe: 'restore every member of a group from a stored checkpoint, all or none, on any node',
    builder: (yargs) =>
      withCriuFlags(
        yargs.positional('group', { type: 'string', demandOption: true, describe: 'group name' }),
        true,
      )
        .option('from', {
          type: 'string',
          requiresArg: true,
          describe: "the store: dir:/path or oci://host[:port]/repo (default: the group's policy)",
        })
        .option('epoch', {
          coerce: wholeNumber('epoch', 1, Number.MAX_SAFE_INTEGER),
          describe: 'the checkpoint to restore (default: the latest stored)',
        })
        .option('json', JSON_OPTION)
        .option('interval', progressInterval()),
    handler: (args) =>
      runOperation(context, {
        kind: 'restore',
        group: args.group,
        json: args.json,
        intervalMs: args.interval,
        wantStored: () => false,
        run: (client) =>
          client.groups.restore({
            group: args.group,
            from: args.from ?? '',
            ...(args.epoch === undefined ? {} : { epoch: args.epoch }),
            options: criuFlags(args),
          }),
      }),
  };
}
