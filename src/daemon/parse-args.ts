import { hostname } from 'node:os';
import yargs from 'yargs';
import { CohortError, ErrorCode } from '../core/errors.js';
import { withCliConventions } from '../core/cli-conventions.js';
import { parseDuration } from '../core/duration.js';
import { DEADLINE_RANGE, DEADLINE_SETTINGS } from '../coordinator/deadlines.js';
import type { StartCoordinatorOptions } from '../coordinator/start-coordinator.js';
import { parseListenAddress } from '../coordinator/listen-address.js';
import type { LogLevel } from '../coordinator/server/logger.js';
import type { Deadlines } from '../coordinator/types.js';
import { agentFlags, withAgentFlags, type AgentFlags } from './agent-flags.js';
import { etcdOptions, withEtcdFlags } from './etcd-flags.js';
import { parseAddress } from '../core/address.js';
import { parseAgentArgs, type AgentArgs } from './agent-args.js';

export const DEFAULT_LISTEN = 'unix:///run/cohort/cohortd.sock';
export const DEFAULT_STATE_DIR = '/var/lib/cohort';

export type DaemonArgs =
  | { kind: 'run'; options: StartCoordinatorOptions; logLevel: LogLevel; agent?: AgentFlags }
  | AgentArgs
  | { kind: 'text'; text: string };

/** cohortd's command line, checked whole: every error names the flag and the fix. */
export async function parseDaemonArgs(argv: readonly string[]): Promise<DaemonArgs> {
  if (argv[0] === 'agent') return parseAgentArgs(argv.slice(1));
  let text = '';
  const parser = withEtcdFlags(
    withAgentFlags(
      withCliConventions(
        yargs()
          .scriptName('cohortd')
          .usage(
            '$0 [options]\n$0 --etcd-endpoints URL[,URL…] --no-agent [options]\n$0 agent --node NAME --coordinator ADDRESS [options]\n\nThe cohort coordinator: runs checkpoint and restore rounds for groups of containers, with a\nnode agent of its own for this node (cohortd agent runs one on another node). With\n--etcd-endpoints, one of several replicas: the one etcd elects leads, the others follow.',
          )
          .option('listen', {
            type: 'string',
            array: true,
            requiresArg: true,
            describe: `unix:///path or host:port; repeatable (default ${DEFAULT_LISTEN})`,
          })
          .option('tls-ca', {
            type: 'string',
            requiresArg: true,
            describe:
              'CA (PEM) that signs client certificates; TCP listeners require a client certificate from it',
          })
          .option('tls-cert', {
            type: 'string',
            requiresArg: true,
            describe: "the server's certificate (PEM)",
          })
          .option('tls-key', {
            type: 'string',
            requiresArg: true,
            describe: "the server's private key (PEM)",
          })
          .option('insecure', {
            type: 'boolean',
            default: false,
            describe: 'allow plaintext TCP listeners (trusted networks only)',
          })
          .option('state-dir', {
            type: 'string',
            requiresArg: true,
            default: DEFAULT_STATE_DIR,
            describe:
              'where the decision log lives (the embedded log; not used with --etcd-endpoints)',
          })
          .option('metrics-listen', {
            type: 'string',
            requiresArg: true,
            describe: 'host:port for /healthz and /metrics (e.g. 127.0.0.1:9464); off by default',
          })
          .option('log-level', {
            choices: ['debug', 'info', 'warn', 'error'],
            default: 'info',
            describe: 'least severe log line written to stderr',
          })
          .option('node', {
            type: 'string',
            default: hostname(),
            requiresArg: true,
            describe: "this node's name for cohortd's own agent",
          })
          .option('agent', {
            type: 'boolean',
            default: true,
            describe:
              'run a node agent for this node in this process (--no-agent: coordinator only)',
          })
          .option('agent-loss-timeout', {
            type: 'string',
            default: '15s',
            requiresArg: true,
            describe: "how long a node's agent may be away before its members count as lost",
          })
          .group(
            DEADLINE_SETTINGS.map((setting) => setting.flag),
            'Deadlines (Go durations such as 30s or 1m30s; a bare number is milliseconds):',
          ),
        'cohortd',
      ),
    ),
  );
  for (const { flag } of DEADLINE_SETTINGS)
    parser.option(flag, { type: 'string', requiresArg: true });
  const args = await parser.parseAsync([...argv], {}, (_error, _args, output) => {
    if (output) text = output.endsWith('\n') ? output : output + '\n';
  });
  if (text !== '' || args.help === true || args.version === true) return { kind: 'text', text };

  const listen = args.listen ?? [DEFAULT_LISTEN];
  for (const address of listen) parseListenAddress(address);
  const tlsFlags = [args.tlsCa, args.tlsCert, args.tlsKey];
  const tlsCount = tlsFlags.filter((v) => v !== undefined).length;
  if (tlsCount !== 0 && tlsCount !== 3) {
    throw new CohortError(
      ErrorCode.Argv,
      '--tls-ca, --tls-cert and --tls-key go together; give all three',
    );
  }
  const hasTcp = listen.some((address) => parseListenAddress(address).kind === 'tcp');
  if (hasTcp && tlsCount === 0 && args.insecure !== true) {
    throw new CohortError(
      ErrorCode.Argv,
      'a TCP --listen needs --tls-ca, --tls-cert and --tls-key (mutual TLS), or --insecure on a trusted network',
    );
  }
  const deadlines: Partial<Deadlines> = {};
  for (const { flag, key } of DEADLINE_SETTINGS) {
    const value = args[flag];
    if (typeof value === 'string')
      deadlines[key] = parseDuration(value, `--${flag}`, DEADLINE_RANGE);
  }
  const etcd = etcdOptions(args);
  if (etcd !== undefined && args.agent === true) {
    throw new CohortError(
      ErrorCode.Argv,
      '--etcd-endpoints runs cohortd as one of several replicas, which runs no node agent of its own (a follower could not serve it): add --no-agent, and run `cohortd agent --node NAME --coordinator REPLICA …` (every replica, repeated) on each node',
    );
  }
  const advertise = args.advertise?.map(String);
  for (const address of advertise ?? [])
    parseAddress(address, { source: '--advertise', code: ErrorCode.Argv });
  const options: StartCoordinatorOptions = {
    listen,
    ...(etcd === undefined ? {} : { etcd }),
    ...(advertise === undefined ? {} : { advertise }),
    stateDir: args.stateDir,
    deadlines,
    insecure: args.insecure,
    agentLossMs: parseDuration(args.agentLossTimeout as string, '--agent-loss-timeout', {
      min: 100,
      max: 86_400_000,
    }),
  };
  if (args.tlsCa !== undefined && args.tlsCert !== undefined && args.tlsKey !== undefined) {
    options.tls = { ca: args.tlsCa, cert: args.tlsCert, key: args.tlsKey };
  }
  if (args.metricsListen !== undefined) {
    if (parseListenAddress(args.metricsListen, '--metrics-listen').kind !== 'tcp') {
      throw new CohortError(
        ErrorCode.Argv,
        '--metrics-listen takes host:port (e.g. 127.0.0.1:9464)',
      );
    }
    options.metricsListen = args.metricsListen;
  }
  const logLevel = args.logLevel as LogLevel;
  if (args.agent !== true) return { kind: 'run', options, logLevel };
  return {
    kind: 'run',
    options,
    logLevel,
    agent: agentFlags(String(args.node), args),
  };
}
