import type { Argv } from 'yargs';
import { parseDuration } from '../core/duration.js';
import { CohortError, ErrorCode } from '../core/errors.js';
import { checkName } from '../core/names.js';

/** A node agent's settings from cohortd's command line (cohortd agent, or cohortd's own agent). */
export interface AgentFlags {
  node: string;
  engines: ('podman' | 'runc')[];
  podman: string;
  runcRoots: string[];
  workDir: string;
  storeTlsVerify: boolean;
  storeCa?: string;
  runtimeName: string;
  pollMs: number;
  config?: string;
}

export const DEFAULT_WORK_DIR = '/var/lib/cohort/agent';

/** The flags both cohortd and cohortd agent take for the node's engines and stores. */
export function withAgentFlags<T>(yargs: Argv<T>) {
  return yargs
    .option('engine', {
      choices: ['podman', 'runc'] as const,
      array: true,
      describe:
        'the engines whose group members this node runs (repeat; default podman, and runc with --runc-root)',
    })
    .option('podman', {
      type: 'string',
      default: 'podman',
      requiresArg: true,
      describe: 'the podman program',
    })
    .option('runc-root', {
      type: 'string',
      array: true,
      requiresArg: true,
      describe: "runc's --root for bare runc members (repeat)",
    })
    .option('work-dir', {
      type: 'string',
      default: DEFAULT_WORK_DIR,
      requiresArg: true,
      describe: 'where checkpoint images and fetched archives are kept while in use',
    })
    .option('store-tls-verify', {
      type: 'boolean',
      default: true,
      describe: 'verify registry certificates (false: also plain HTTP on loopback)',
    })
    .option('store-ca', {
      type: 'string',
      requiresArg: true,
      describe: 'a CA (PEM) trusted for registries besides the system CAs',
    })
    .option('runtime-name', {
      type: 'string',
      default: 'cohort',
      requiresArg: true,
      describe: "the runtime's name in podman's containers.conf (checkpoint images name it)",
    })
    .option('poll-interval', {
      type: 'string',
      default: '1s',
      requiresArg: true,
      describe: 'how often runc roots are looked at (Go duration)',
    })
    .option('config', {
      type: 'string',
      requiresArg: true,
      describe: "cohort's config (runc, state dir) for the runtime this node's members run under",
    });
}

export interface RawAgentFlags {
  engine?: ('podman' | 'runc')[];
  podman: string;
  runcRoot?: string[];
  workDir: string;
  storeTlsVerify: boolean;
  storeCa?: string;
  runtimeName: string;
  pollInterval: string;
  config?: string;
}

export function agentFlags(node: string, args: RawAgentFlags): AgentFlags {
  const runcRoots = args.runcRoot ?? [];
  const engines = args.engine ?? ['podman', ...(runcRoots.length > 0 ? ['runc' as const] : [])];
  if (engines.includes('runc') && runcRoots.length === 0) runcRoots.push('/run/runc');
  if (!engines.includes('runc') && runcRoots.length > 0) {
    throw new CohortError(ErrorCode.Argv, '--runc-root is for the runc engine: add --engine runc');
  }
  return {
    node: checkName(node, '--node', ErrorCode.Argv),
    engines: [...new Set(engines)],
    podman: args.podman,
    runcRoots,
    workDir: args.workDir,
    storeTlsVerify: args.storeTlsVerify,
    ...(args.storeCa === undefined ? {} : { storeCa: args.storeCa }),
    runtimeName: args.runtimeName,
    pollMs: parseDuration(args.pollInterval, '--poll-interval', { min: 100, max: 600_000 }),
    ...(args.config === undefined ? {} : { config: args.config }),
  };
}
