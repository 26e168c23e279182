import yargs from 'yargs';
import { withCliConventions } from '../core/cli-conventions.js';
import { checkpointCommand } from './checkpoint.js';
import { checkpointsCommand } from './checkpoints.js';
import { nodesCommand } from './nodes.js';
import { EXIT_CODES_EPILOGUE } from './exit-codes.js';
import { groupCommand } from './group.js';
import { historyCommand } from './history.js';
import type { OwnedContext } from './make-context.js';
import { pkiCommand } from './pki.js';
import { restoreCommand } from './restore.js';
import { statusCommand } from './status.js';

/** Parses argv and runs the verb; help, version and completion text go to the context's stdout. */
export async function runCli(context: OwnedContext, argv: readonly string[]): Promise<void> {
  const parser = withCliConventions(
    yargs()
      .scriptName('cohortctl')
      .usage(
        '$0 <command> [options]\n\nOperate cohort groups: coordinated checkpoint and restore of containers.',
      )
      .parserConfiguration({ 'populate--': true })
      .option('coordinator', {
        type: 'string',
        array: true,
        // One value per flag: the verb and its arguments follow.
        nargs: 1,
        requiresArg: true,
        global: true,
        describe:
          'cohortd address: unix:///path or host:port; repeat it for replicas (default: coordinator.address in the config)',
      })
      .option('config', {
        type: 'string',
        requiresArg: true,
        global: true,
        describe: 'cohort config file (default: $COHORT_CONFIG, else /etc/cohort/config.json)',
      })
      .middleware((args) => {
        context.setGlobals({
          ...(args.coordinator === undefined ? {} : { coordinator: args.coordinator.map(String) }),
          ...(args.config === undefined ? {} : { config: args.config }),
        });
      })
      .command(statusCommand(context))
      .command(groupCommand(context))
      .command(historyCommand(context))
      .command(checkpointCommand(context))
      .command(restoreCommand(context))
      .command(checkpointsCommand(context))
      .command(nodesCommand(context))
      .command(pkiCommand(context))
      .completion(
        'completion',
        'print a bash/zsh completion script (cohortctl completion >> ~/.bashrc)',
      )
      .demandCommand(1, 'name a command')
      .recommendCommands()
      .epilogue(EXIT_CODES_EPILOGUE),
    'cohortctl',
  );
  await parser.parseAsync([...argv], {}, (_error, _args, output) => {
    if (output) context.io.out(output.endsWith('\n') ? output : output + '\n');
  });
}
