import { create } from './commands/create.js';
import { EXEC_RUNC, type RuntimeContext, type Verdict } from './context.js';

/** Routes an intercepted subcommand; the session code loads only for checkpoint and restore. */
export async function dispatch(context: RuntimeContext): Promise<Verdict> {
  // runc answers a global --help or --version and runs no command: neither may cohort.
  if (context.argv.globals.help || context.argv.globals.version) return EXEC_RUNC;
  switch (context.argv.command) {
    case 'create':
    case 'run':
      return create(context);
    case 'checkpoint':
      return (await import('./commands/checkpoint.js')).checkpoint(context);
    case 'restore':
      return (await import('./commands/restore.js')).restore(context);
    default:
      return EXEC_RUNC;
  }
}
