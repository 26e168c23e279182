import type { CommandModule } from 'yargs';
import type { CliContext } from './context.js';
import { JSON_OPTION } from './options.js';
import { formatTable, formatTime } from './table.js';

export function nodesCommand(context: CliContext): CommandModule<object, { json: boolean }> {
  return {
    command: 'nodes',
    describe: 'the nodes whose agents report to cohortd, and the group members on each',
    builder: (yargs) => yargs.option('json', JSON_OPTION),
    handler: async (args) => {
      const client = await context.coordinator();
      const { nodes } = await client.groups.nodes();
      if (args.json) return void context.io.out(JSON.stringify(nodes) + '\n');
      const rows = nodes.map((n) => [
        n.name,
        n.connected ? 'connected' : 'away',
        n.engines.join(',') || '-',
        formatTime(n.lastSeen),
        n.members.map((m) => `${m.group}/${m.member}(${m.state})`).join(' ') || '-',
      ]);
      context.io.out(formatTable(['NODE', 'AGENT', 'ENGINES', 'LAST SEEN', 'MEMBERS'], rows));
    },
  };
}
