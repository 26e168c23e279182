import { resolve } from 'node:path';
import { isSet, lastValue, parseFlags, type ParsedFlags } from './flags.js';
import { CHECKPOINT_FLAGS, CREATE_FLAGS, RESTORE_FLAGS } from './runc-cli.js';

/** What create/run/restore need to find the bundle; relative paths resolve against cwd as runc does. */
export interface BundleArgs {
  id?: string;
  bundle: string;
  help: boolean;
}

export interface CheckpointArgs {
  id?: string;
  /** Where CRIU writes its log, when the caller chose (runc's own default is under its root). */
  workPath?: string;
  /** runc's default is ./checkpoint in its cwd. */
  imagePath: string;
  leaveRunning: boolean;
  preDump: boolean;
  /** `--status-fd N`: a descriptor of the caller's that runc must get at the same number. */
  statusFd?: number;
  help: boolean;
}

export interface RestoreArgs extends BundleArgs {
  imagePath: string;
  workPath?: string;
  detach: boolean;
}

function firstPositional(flags: ParsedFlags): string | undefined {
  return flags.positionals[0];
}

export function parseCreateArgs(args: readonly string[], cwd: string): BundleArgs {
  const flags = parseFlags(args, CREATE_FLAGS);
  const result: BundleArgs = {
    bundle: resolve(cwd, lastValue(flags, 'bundle') ?? '.'),
    help: isSet(flags, 'help'),
  };
  const id = firstPositional(flags);
  if (id !== undefined) result.id = id;
  return result;
}

export function parseCheckpointArgs(args: readonly string[], cwd: string): CheckpointArgs {
  const flags = parseFlags(args, CHECKPOINT_FLAGS);
  const result: CheckpointArgs = {
    imagePath: resolve(cwd, lastValue(flags, 'image-path') || 'checkpoint'),
    leaveRunning: isSet(flags, 'leave-running'),
    preDump: isSet(flags, 'pre-dump'),
    help: isSet(flags, 'help'),
  };
  const id = firstPositional(flags);
  if (id !== undefined) result.id = id;
  const workPath = lastValue(flags, 'work-path');
  if (workPath) result.workPath = resolve(cwd, workPath);
  const statusFd = Number(lastValue(flags, 'status-fd'));
  if (Number.isInteger(statusFd) && statusFd > 2) result.statusFd = statusFd;
  return result;
}

export function parseRestoreArgs(args: readonly string[], cwd: string): RestoreArgs {
  const flags = parseFlags(args, RESTORE_FLAGS);
  const result: RestoreArgs = {
    bundle: resolve(cwd, lastValue(flags, 'bundle') ?? '.'),
    imagePath: resolve(cwd, lastValue(flags, 'image-path') || 'checkpoint'),
    detach: isSet(flags, 'detach'),
    help: isSet(flags, 'help'),
  };
  const id = firstPositional(flags);
  if (id !== undefined) result.id = id;
  const workPath = lastValue(flags, 'work-path');
  if (workPath) result.workPath = resolve(cwd, workPath);
  return result;
}
