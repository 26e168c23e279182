import type { CommandModule } from 'yargs';
import type { CliContext } from './context.js';
import { runGroupOperation, type MemberTask } from './group-operation.js';
import { wholeNumber } from './options.js';
import { passThrough, podmanOf, withPodmanOptions, type PodmanArgs } from './podman-options.js';
import { commonEpoch, planImport, planInPlace, requirePermanent } from './restore-plan.js';

interface RestoreArgs extends PodmanArgs {
  group: string;
  epoch?: number;
  import?: string;
  'tcp-established': boolean;
  'file-locks': boolean;
}

export function restoreCommand(context: CliContext): CommandModule<object, RestoreArgs> {
  return {
    command: 'restore <group>',
    describe: "restore every podman container of a group together (podman's flags after --)",
    builder: (yargs) =>
      withPodmanOptions(
        yargs
          .positional('group', { type: 'string', demandOption: true, describe: 'group name' })
          .option('epoch', {
            coerce: wholeNumber('epoch', 1, Number.MAX_SAFE_INTEGER),
            describe: 'the checkpoint epoch the images must hold',
          })
          .option('import', {
            type: 'string',
            requiresArg: true,
            describe: 'restore from DIR/<member>.tar.gz (checkpoint --export)',
          })
          .option('tcp-established', {
            type: 'boolean',
            default: false,
            describe: 'restore established TCP connections',
          })
          .option('file-locks', {
            type: 'boolean',
            default: false,
            describe: 'restore file locks',
          }),
      ),
    handler: (args) => restore(context, args),
  };
}

async function restore(context: CliContext, args: RestoreArgs): Promise<void> {
  const client = await context.coordinator();
  const podman = podmanOf(context, args);
  const plan =
    args.import === undefined
      ? await planInPlace(client, podman, args.group)
      : await planImport(client, podman, args.group, args.import);
  const epoch = commonEpoch(args.group, plan.sources, args.epoch);
  await requirePermanent(client, args.group, epoch);
  const flags = [
    ...(args['tcp-established'] ? ['--tcp-established'] : []),
    ...(args['file-locks'] ? ['--file-locks'] : []),
  ];
  const tasks = plan.sources.map((source): MemberTask => ({
    member: source.member,
    label: source.label,
    podmanArgs: ['container', 'restore', ...flags, ...passThrough(args), ...source.target],
  }));
  context.io.out(`restoring checkpoint epoch ${epoch}\n`);
  await runGroupOperation(context, {
    kind: 'restore',
    group: args.group,
    client,
    podman,
    tasks,
    afterEpoch: plan.status?.lastEpoch ?? 0,
    intervalMs: args.interval,
  });
}
