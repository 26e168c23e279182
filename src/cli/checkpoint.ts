import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CommandModule } from 'yargs';
import { CohortError, ErrorCode } from '../core/errors.js';
import { checkMembership } from './check-membership.js';
import type { CliContext } from './context.js';
import { runGroupOperation, type MemberTask } from './group-operation.js';
import { passThrough, podmanOf, withPodmanOptions, type PodmanArgs } from './podman-options.js';
import { podmanGroup } from './podman-group.js';

interface CheckpointArgs extends PodmanArgs {
  group: string;
  'leave-running': boolean;
  'tcp-established': boolean;
  'file-locks': boolean;
  export?: string;
}

export function checkpointCommand(context: CliContext): CommandModule<object, CheckpointArgs> {
  return {
    command: 'checkpoint <group>',
    describe: "checkpoint every podman container of a group together (podman's flags after --)",
    builder: (yargs) =>
      withPodmanOptions(
        yargs
          .positional('group', { type: 'string', demandOption: true, describe: 'group name' })
          .option('leave-running', {
            type: 'boolean',
            default: false,
            describe: 'keep the containers running afterwards',
          })
          .option('tcp-established', {
            type: 'boolean',
            default: false,
            describe: 'checkpoint established TCP connections',
          })
          .option('file-locks', {
            type: 'boolean',
            default: false,
            describe: 'checkpoint file locks',
          })
          .option('export', {
            type: 'string',
            requiresArg: true,
            describe: 'write one archive per member: DIR/<member>.tar.gz',
          }),
      ),
    handler: (args) => checkpoint(context, args),
  };
}

async function checkpoint(context: CliContext, args: CheckpointArgs): Promise<void> {
  const client = await context.coordinator();
  const podman = podmanOf(context, args);
  const { members, status } = await podmanGroup(client, podman, args.group);
  checkMembership(
    args.group,
    members.map((m) => ({ ...m, label: m.containerName })),
    status?.manifest,
  );
  const stopped = members.filter((member) => member.state !== 'running');
  if (stopped.length > 0) {
    const list = stopped
      .map((member) => `${member.member} (${member.containerName}) is ${member.state}`)
      .join(', ');
    throw new CohortError(
      ErrorCode.Engine,
      `group ${args.group}: ${list}; only running containers can be checkpointed: start them first`,
    );
  }
  const exportDir = args.export === undefined ? undefined : resolve(args.export);
  if (exportDir !== undefined) mkdirSync(exportDir, { recursive: true });
  const flags = [
    ...(args['leave-running'] ? ['--leave-running'] : []),
    ...(args['tcp-established'] ? ['--tcp-established'] : []),
    ...(args['file-locks'] ? ['--file-locks'] : []),
  ];
  const tasks = members.map((member): MemberTask => {
    const archive =
      exportDir === undefined ? undefined : join(exportDir, `${member.member}.tar.gz`);
    // gzip, so the archive is what its name says (podman's default is zstd).
    const exporting = archive === undefined ? [] : ['--export', archive, '--compress', 'gzip'];
    const task: MemberTask = {
      member: member.member,
      label: member.containerName,
      podmanArgs: [
        'container',
        'checkpoint',
        ...flags,
        ...exporting,
        ...passThrough(args),
        member.containerId,
      ],
    };
    if (archive !== undefined) task.produces = archive;
    return task;
  });
  await runGroupOperation(context, {
    kind: 'checkpoint',
    group: args.group,
    client,
    podman,
    tasks,
    afterEpoch: status?.lastEpoch ?? 0,
    intervalMs: args.interval,
  });
}
