import type { Argv } from 'yargs';
import type { CriuOptions } from '../gen/cohort/v1/records.js';

export interface CriuArgs {
  'leave-running'?: boolean;
  'tcp-established': boolean;
  'file-locks': boolean;
}

/** CRIU's options as runc and podman spell them; a restore has no --leave-running. */
export function withCriuFlags<T>(yargs: Argv<T>, forRestore = false) {
  const flags = yargs
    .option('tcp-established', {
      type: 'boolean',
      default: false,
      describe: 'checkpoint and restore established TCP connections',
    })
    .option('file-locks', {
      type: 'boolean',
      default: false,
      describe: 'checkpoint and restore file locks',
    });
  return forRestore
    ? flags
    : flags.option('leave-running', {
        type: 'boolean',
        default: false,
        describe: 'keep the members running after the checkpoint',
      });
}

export function criuFlags(args: CriuArgs): CriuOptions {
  return {
    leaveRunning: args['leave-running'] === true,
    tcpEstablished: args['tcp-established'],
    fileLocks: args['file-locks'],
  };
}
