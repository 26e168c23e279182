import type { CommandModule } from 'yargs';
import type { CliContext } from './context.js';
import { groupApplyCommand } from './group-apply.js';
import { groupDeleteCommand } from './group-delete.js';
import { groupListCommand } from './group-list.js';

export function groupCommand(context: CliContext): CommandModule {
  return {
    command: 'group',
    describe: 'manage group manifests at the coordinator (apply, list, delete)',
    builder: (yargs) =>
      yargs
        .command(groupApplyCommand(context))
        .command(groupListCommand(context))
        .command(groupDeleteCommand(context))
        .demandCommand(1, 'name a group command: apply, list or delete'),
    handler: () => undefined,
  };
}
