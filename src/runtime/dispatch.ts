import { create } from './commands/create.js';
import { EXEC_RUNC, type RuntimeContext, type Verdict } from './context.js';

/** Routes an intercepted subcommand; the session code loads only for checkpoint and restore. */
export async function dispatch(context: RuntimeContext): Promise<Verdict> {
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
