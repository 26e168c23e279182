import type { CommandModule } from 'yargs';
import { DEADLINE_SETTINGS } from '../coordinator/deadlines.js';
import { manifestSize } from '../coordinator/manifest.js';
import type { GroupManifest } from '../coordinator/types.js';
import type { CliContext } from './context.js';
import { JSON_OPTION } from './options.js';
import { formatDuration, formatTable } from './table.js';

interface GroupListArgs {
  json: boolean;
}

export function groupListCommand(context: CliContext): CommandModule<object, GroupListArgs> {
  return {
    command: 'list',
    aliases: ['ls'],
    describe: 'list the groups the coordinator holds manifests for',
    builder: (yargs) => yargs.option('json', JSON_OPTION),
    handler: async (args) => {
      const client = await context.coordinator();
      const groups = await client.listGroups();
      if (args.json) {
        context.io.out(JSON.stringify(groups, null, 2) + '\n');
        return;
      }
      if (groups.length === 0) {
        context.io.out('no groups (create one with: cohortctl group apply -f FILE)\n');
        return;
      }
      context.io.out(formatTable(['NAME', 'SIZE', 'MEMBERS', 'DEADLINES'], groups.map(groupRow)));
    },
  };
}

function groupRow(group: GroupManifest): string[] {
  // Named as the manifest and cohortd's flags name them: joinTimeout=20s.
  const deadlines = DEADLINE_SETTINGS.filter(
    (setting) => group.deadlines?.[setting.key] !== undefined,
  )
    .map((setting) => `${setting.field}=${formatDuration(group.deadlines?.[setting.key])}`)
    .join(' ');
  return [
    group.name,
    String(manifestSize(group)),
    group.members?.join(',') ?? '(any)',
    deadlines || '-',
  ];
}
