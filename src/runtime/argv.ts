import { isSet, lastValue, parseFlags } from './flags.js';
import { GLOBAL_FLAGS } from './runc-cli.js';

/** runc's global flags as the caller gave them; the raw argv is still what runc receives. */
export interface GlobalOptions {
  root?: string;
  log?: string;
  logFormat?: string;
  criu?: string;
  systemdCgroup: boolean;
  help: boolean;
  version: boolean;
}

export interface RuntimeArgv {
  /** Every argument as given, for handing to runc unchanged. */
  raw: readonly string[];
  globals: GlobalOptions;
  /** The raw global arguments (before the subcommand), to reuse on runc calls of our own. */
  globalArgs: readonly string[];
  /** The subcommand, if any. */
  command?: string;
  /** Everything after the subcommand. */
  commandArgs: readonly string[];
}

/** Splits runc's argv into global flags, the subcommand and its arguments. Pure. */
export function parseRuntimeArgv(raw: readonly string[]): RuntimeArgv {
  const parsed = parseFlags(raw, GLOBAL_FLAGS);
  const commandIndex = raw.length - parsed.positionals.length;
  const [command, ...commandArgs] = parsed.positionals;
  const globals: GlobalOptions = {
    systemdCgroup: isSet(parsed, 'systemd-cgroup'),
    help: isSet(parsed, 'help'),
    version: isSet(parsed, 'version'),
  };
  const root = lastValue(parsed, 'root');
  const log = lastValue(parsed, 'log');
  const logFormat = lastValue(parsed, 'log-format');
  const criu = lastValue(parsed, 'criu');
  if (root !== undefined) globals.root = root;
  if (log !== undefined) globals.log = log;
  if (logFormat !== undefined) globals.logFormat = logFormat;
  if (criu !== undefined) globals.criu = criu;
  const result: RuntimeArgv = {
    raw,
    globals,
    globalArgs: raw.slice(0, commandIndex),
    commandArgs,
  };
  if (command !== undefined) result.command = command;
  return result;
}
