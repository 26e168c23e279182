import type { CommandModule } from 'yargs';
import type { CoordinatorClient } from '../coordinator/client.js';
import type { RoundRecord } from '../coordinator/types.js';
import type { CliContext } from './context.js';
import { formatStatus, type GroupReport } from './format-status.js';
import { parseDuration } from '../core/duration.js';
import { JSON_OPTION } from './options.js';
import { unknownGroup } from './require-group.js';
import { watchFrames } from './watch.js';

interface StatusArgs {
  group?: string;
  json: boolean;
  watch: boolean;
  interval: number;
}

export function statusCommand(context: CliContext): CommandModule<object, StatusArgs> {
  return {
    command: 'status [group]',
    describe: 'groups, their members, the open round and the last permanent checkpoint',
    builder: (yargs) =>
      yargs
        .positional('group', { type: 'string', describe: 'only this group' })
        .option('json', JSON_OPTION)
        .option('watch', {
          alias: 'w',
          type: 'boolean',
          default: false,
          describe: 'redraw until interrupted (Ctrl-C)',
        })
        .option('interval', {
          default: '1s',
          coerce: (value: unknown) =>
            parseDuration(String(value), '--interval', { min: 100, max: 3_600_000 }),
          describe: 'time between redraws with --watch (Go duration)',
        }),
    handler: async (args) => {
      const client = await context.coordinator();
      const draw = () => statusFrame(client, args.group, args.json);
      if (!args.watch) {
        context.io.out(await draw());
        return;
      }
      await watchFrames(context, args.interval, draw, args.json ? 'append' : 'redraw');
    },
  };
}

async function statusFrame(
  client: CoordinatorClient,
  only: string | undefined,
  json: boolean,
): Promise<string> {
  const reply = await client.status(only);
  const groups = reply.groups.filter((group) => only === undefined || group.name === only);
  if (only !== undefined && groups.length === 0) {
    throw unknownGroup(
      only,
      (await client.status()).groups.map((group) => group.name),
    );
  }
  const reports: GroupReport[] = await Promise.all(
    groups.map(async (group) => {
      const lastPermanent = findLastPermanent(await client.history(group.name));
      return lastPermanent === undefined ? group : { ...group, lastPermanent };
    }),
  );
  if (json) return JSON.stringify({ ...reply, groups: reports }) + '\n';
  return formatStatus(reply, reports);
}

/** The newest checkpoint every member reported complete: the one a restore would use. */
export function findLastPermanent(rounds: readonly RoundRecord[]): RoundRecord | undefined {
  return [...rounds]
    .filter(
      (round) =>
        round.kind === 'checkpoint' &&
        (round.outcome === 'permanent' || round.outcome === 'stored'),
    )
    .sort((a, b) => b.epoch - a.epoch)[0];
}
