import type { Argv } from 'yargs';
import type { CliContext } from './context.js';
import { repeatable, wholeNumber } from './options.js';
import type { Podman } from '../engines/podman/run.js';

/** The flags every podman-driven verb shares. */
export function withPodmanOptions<T>(yargs: Argv<T>) {
  return yargs
    .option('podman', {
      type: 'string',
      default: 'podman',
      requiresArg: true,
      describe: 'the podman program',
    })
    .option(
      'podman-arg',
      repeatable(
        'a global podman flag, written with "=": --podman-arg=--runtime=/usr/local/bin/cohort (repeat)',
      ),
    )
    .option('interval', {
      default: 250,
      coerce: wholeNumber('interval', 20, 60_000),
      describe: 'milliseconds between progress polls of the coordinator',
    });
}

export interface PodmanArgs {
  podman: string;
  'podman-arg': string[];
  interval: number;
  '--'?: (string | number)[];
}

export function podmanOf(context: CliContext, args: PodmanArgs): Podman {
  return { binary: args.podman, globalArgs: args['podman-arg'], env: context.env };
}

/** What follows `--` on the command line: flags for podman's own checkpoint or restore. */
export function passThrough(args: PodmanArgs): string[] {
  return (args['--'] ?? []).map(String);
}
