import yargs from 'yargs';
import { parseAddress } from '../core/address.js';
import { withCliConventions } from '../core/cli-conventions.js';
import { CohortError, ErrorCode } from '../core/errors.js';
import type { LogLevel } from '../coordinator/server/logger.js';
import { agentFlags, withAgentFlags, type AgentFlags } from './agent-flags.js';

export interface AgentArgs {
  kind: 'agent';
  agent: AgentFlags;
  /** The coordinator's addresses (several replicas: the first that answers). */
  coordinators: string[];
  tls?: { ca: string; cert: string; key: string };
  insecure: boolean;
  logLevel: LogLevel;
}

/** `cohortd agent`: a node agent alone, for a node the coordinator does not run on. */
export async function parseAgentArgs(
  argv: readonly string[],
): Promise<AgentArgs | { kind: 'text'; text: string }> {
  let text = '';
  const parser = withAgentFlags(
    withCliConventions(
      yargs()
        .scriptName('cohortd agent')
        .usage(
          "$0 --node NAME --coordinator ADDRESS [options]\n\nA node agent: reports this node's group members to the coordinator and carries out its work on them.",
        )
        .option('node', {
          type: 'string',
          demandOption: true,
          requiresArg: true,
          describe: "this node's name (its certificate is CN node:NAME)",
        })
        .option('coordinator', {
          type: 'string',
          array: true,
          demandOption: true,
          requiresArg: true,
          describe: 'the coordinator: unix:///path or host:port (repeat for replicas)',
        })
        .option('tls-ca', {
          type: 'string',
          requiresArg: true,
          describe: "the CA (PEM) of the coordinator's certificate",
        })
        .option('tls-cert', {
          type: 'string',
          requiresArg: true,
          describe: "this node's certificate (PEM), CN node:NAME",
        })
        .option('tls-key', {
          type: 'string',
          requiresArg: true,
          describe: "this node's private key (PEM)",
        })
        .option('insecure', {
          type: 'boolean',
          default: false,
          describe: 'plaintext TCP to the coordinator (trusted networks only)',
        })
        .option('log-level', {
          choices: ['debug', 'info', 'warn', 'error'],
          default: 'info',
          describe: 'least severe log line written to stderr',
        }),
      'cohortd agent',
    ),
  );
  const args = await parser.parseAsync([...argv], {}, (_error, _args, output) => {
    if (output) text = output.endsWith('\n') ? output : output + '\n';
  });
  if (text !== '' || args.help === true || args.version === true) return { kind: 'text', text };
  const coordinators = args.coordinator.map(String);
  for (const address of coordinators)
    parseAddress(address, { source: '--coordinator', code: ErrorCode.Argv });
  const tlsFlags = [args.tlsCa, args.tlsCert, args.tlsKey].filter((v) => v !== undefined);
  if (tlsFlags.length !== 0 && tlsFlags.length !== 3) {
    throw new CohortError(
      ErrorCode.Argv,
      '--tls-ca, --tls-cert and --tls-key go together; give all three',
    );
  }
  const tcp = coordinators.some((address) => !address.startsWith('unix://'));
  if (tcp && tlsFlags.length === 0 && args.insecure !== true) {
    throw new CohortError(
      ErrorCode.Argv,
      "a TCP --coordinator needs --tls-ca, --tls-cert and --tls-key (the node's certificate), or --insecure on a trusted network",
    );
  }
  return {
    kind: 'agent',
    agent: agentFlags(String(args.node), args),
    coordinators,
    ...(args.tlsCa !== undefined && args.tlsCert !== undefined && args.tlsKey !== undefined
      ? { tls: { ca: args.tlsCa, cert: args.tlsCert, key: args.tlsKey } }
      : {}),
    insecure: args.insecure,
    logLevel: args.logLevel as LogLevel,
  };
}
