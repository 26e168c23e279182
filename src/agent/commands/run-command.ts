import { toCohortError, type CohortError } from '../../core/errors.js';
import type { AgentCommand, CommandResult } from '../../gen/cohort/v1/agent.js';
import { drainLeftoverExports } from '../../store/index.js';
import { checkpointMembers } from './checkpoint.js';
import type { CommandContext } from './context.js';
import { restoreMembers } from './restore.js';
import { publishCheckpoint, readCheckpoint, stopMembers } from './small.js';

const leftovers = new WeakMap<CommandContext, Promise<void>>();

/**
 * Before this agent's first work: export FIFOs a previous agent on this work dir left (it died
 * mid-upload) are drained, or the podman still writing into them would hold its container's
 * lock for good and every podman call on it would hang.
 */
function clearLeftovers(c: CommandContext): Promise<void> {
  let done = leftovers.get(c);
  if (done === undefined) {
    done = drainLeftoverExports(c.o.workDir).then((count) => {
      if (count > 0) c.o.logger.warn({ count }, 'agent-drained-leftover-exports');
    });
    leftovers.set(c, done);
  }
  return done;
}

/** Carries out one command and says how it went; a failure names the member that failed. */
export async function runCommand(c: CommandContext, command: AgentCommand): Promise<CommandResult> {
  await clearLeftovers(c);
  const result: CommandResult = {
    commandId: command.commandId,
    ok: true,
    errorCode: '',
    message: '',
    culprit: '',
    stored: [],
    pruned: [],
    checkpoint: undefined,
  };
  const fail = (error: CohortError, culprit = ''): CommandResult => ({
    ...result,
    ok: false,
    errorCode: error.code,
    message: error.message,
    culprit,
  });
  const body = command.body;
  try {
    switch (body?.$case) {
      case 'checkpoint': {
        const done = await checkpointMembers(c, body.value);
        if (done.failure !== undefined)
          return { ...fail(done.failure.error, done.failure.member), stored: done.stored };
        return { ...result, stored: done.stored };
      }
      case 'restore': {
        const done = await restoreMembers(c, body.value);
        return done.failure === undefined ? result : fail(done.failure.error, done.failure.member);
      }
      case 'publish':
        return { ...result, pruned: await publishCheckpoint(c, body.value) };
      case 'stop':
        await stopMembers(c, body.value);
        return result;
      case 'read':
        return { ...result, checkpoint: await readCheckpoint(c, body.value) };
      default:
        return fail(
          toCohortError(
            new Error(`command ${command.commandId} has no work this agent knows; upgrade it`),
          ),
        );
    }
  } catch (error) {
    return fail(toCohortError(error));
  } finally {
    // What the work changed (a restored or stopped member) is reported now, not at the next poll.
    await c.refresh();
  }
}
