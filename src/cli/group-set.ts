import type { CommandModule } from 'yargs';
import { parseDuration } from '../core/duration.js';
import type { GroupPolicy } from '../gen/cohort/v1/records.js';
import type { CliContext } from './context.js';
import { formatGroupView } from './format-group.js';
import { JSON_OPTION, wholeNumber } from './options.js';

interface GroupSetArgs {
  group: string;
  interval?: string;
  store?: string;
  keep?: number;
  'on-failure'?: 'restore' | 'none';
  'leave-running'?: boolean;
  'tcp-established'?: boolean;
  'file-locks'?: boolean;
  json: boolean;
}

export function groupSetCommand(context: CliContext): CommandModule<object, GroupSetArgs> {
  return {
    command: 'set <group>',
    describe: "set a group's policy: checkpoint interval, store, retention, recovery (others kept)",
    builder: (yargs) =>
      yargs
        .positional('group', { type: 'string', demandOption: true, describe: 'group name' })
        .option('interval', {
          type: 'string',
          requiresArg: true,
          describe: 'checkpoint every D (Go duration: 10m, 1h30m); 0 stops the schedule',
        })
        .option('store', {
          type: 'string',
          requiresArg: true,
          describe: 'dir:/path or oci://host[:port]/repo; "" for none',
        })
        .option('keep', {
          coerce: wholeNumber('keep', 1, 10_000),
          describe: 'stored checkpoints kept (the latest always is)',
        })
        .option('on-failure', {
          choices: ['restore', 'none'] as const,
          describe: 'when a member dies or its node is lost',
        })
        .option('leave-running', {
          type: 'boolean',
          describe: 'scheduled checkpoints leave the group running (default true)',
        })
        .option('tcp-established', {
          type: 'boolean',
          describe: 'checkpoint established TCP connections',
        })
        .option('file-locks', { type: 'boolean', describe: 'checkpoint file locks' })
        .option('json', JSON_OPTION),
    handler: async (args) => {
      const policy: GroupPolicy = {
        store: '',
        keep: 0,
        onFailure: '',
        leaveRunning: false,
        tcpEstablished: false,
        fileLocks: false,
      };
      const fields: string[] = [];
      // Only the settings given change; each is named as the wire names it.
      const given = <T>(value: T | undefined, field: string, apply: (v: T) => void) => {
        if (value === undefined) return;
        fields.push(field);
        apply(value);
      };
      given(args.interval, 'interval_ms', (text) => {
        if (text !== '0')
          policy.intervalMs = parseDuration(text, '--interval', {
            min: 1_000,
            max: 31_536_000_000,
          });
      });
      given(args.store, 'store', (v) => (policy.store = v));
      given(args.keep, 'keep', (v) => (policy.keep = v));
      given(args['on-failure'], 'on_failure', (v) => (policy.onFailure = v));
      given(args['leave-running'], 'leave_running', (v) => (policy.leaveRunning = v));
      given(args['tcp-established'], 'tcp_established', (v) => (policy.tcpEstablished = v));
      given(args['file-locks'], 'file_locks', (v) => (policy.fileLocks = v));
      const client = await context.coordinator();
      const view = await client.groups.setPolicy({ group: args.group, policy, fields });
      context.io.out(args.json ? JSON.stringify(view) + '\n' : formatGroupView(view, Date.now()));
    },
  };
}
