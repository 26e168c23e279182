import type { CommandModule } from 'yargs';
import type { CliContext } from './context.js';
import { groupApplyCommand } from './group-apply.js';
import { groupDeleteCommand } from './group-delete.js';
import { groupListCommand } from './group-list.js';
import { groupSetCommand } from './group-set.js';
import { groupShowCommand } from './group-show.js';

export function groupCommand(context: CliContext): CommandModule {
  return {
    command: 'group',
    describe:
      'manage groups at the coordinator: manifests (apply, list, delete) and policy (set, show)',
    builder: (yargs) =>
      yargs
        .command(groupApplyCommand(context))
        .command(groupListCommand(context))
        .command(groupDeleteCommand(context))
        .command(groupSetCommand(context))
        .command(groupShowCommand(context))
        .demandCommand(1, 'name a group command: apply, list, delete, set or show'),
    handler: () => undefined,
  };
}
