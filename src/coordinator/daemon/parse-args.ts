import yargs from 'yargs';
import { CohortError, ErrorCode } from '../../core/errors.js';
import { withCliConventions } from '../../core/cli-conventions.js';
import { parseDuration } from '../../core/duration.js';
import { DEADLINE_RANGE, DEADLINE_SETTINGS } from '../deadlines.js';
import type { StartCoordinatorOptions } from '../start-coordinator.js';
import { parseListenAddress } from '../listen-address.js';
import type { LogLevel } from '../server/logger.js';
import type { Deadlines } from '../types.js';

export const DEFAULT_LISTEN = 'unix:///run/cohort/cohortd.sock';
export const DEFAULT_STATE_DIR = '/var/lib/cohort';

export type DaemonArgs =
  | { kind: 'run'; options: StartCoordinatorOptions; logLevel: LogLevel }
  | { kind: 'text'; text: string };

/** cohortd's command line, checked whole: every error names the flag and the fix. */
export async function parseDaemonArgs(argv: readonly string[]): Promise<DaemonArgs> {
  let text = '';
  const parser = withCliConventions(
    yargs()
      .scriptName('cohortd')
      .usage(
        '$0 [options]\n\nThe cohort coordinator: runs checkpoint and restore rounds for groups of containers.',
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
        describe: 'where the decision log lives',
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
      .group(
        DEADLINE_SETTINGS.map((setting) => setting.flag),
        'Deadlines (Go durations such as 30s or 1m30s; a bare number is milliseconds):',
      ),
    'cohortd',
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
  const options: StartCoordinatorOptions = {
    listen,
    stateDir: args.stateDir,
    deadlines,
    insecure: args.insecure,
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
  return { kind: 'run', options, logLevel: args.logLevel as LogLevel };
}
