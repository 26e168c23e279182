import { join } from 'node:path';
import { startAgent, type RunningAgent } from '../agent/agent.js';
import type { FaultInjection } from '../coordinator/server/machine-runner.js';
import { createLogger, type Logger } from '../coordinator/server/logger.js';
import { startCoordinator, type RunningCoordinator } from '../coordinator/start-coordinator.js';
import { toCohortError } from '../core/errors.js';
import { agentOptions } from '../daemon/agent-options.js';
import { parseDaemonArgs } from '../daemon/parse-args.js';

/** Fault injection for the crash test: SIGKILL right after a decision is synced, before it is announced. */
export const CRASH_AFTER_DECISION_PERSIST = 'COHORT_TEST_CRASH_AFTER_DECISION_PERSIST';

/** cohortd and cohortd agent: parse, start, run until SIGTERM/SIGINT (or a log failure), stop cleanly. */
export async function main(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): Promise<number> {
  const stderr = (line: string): void => void process.stderr.write(line);
  let parsed: Awaited<ReturnType<typeof parseDaemonArgs>>;
  try {
    parsed = await parseDaemonArgs(argv);
  } catch (error) {
    stderr(`cohortd: ${toCohortError(error).message}\n`);
    return 2;
  }
  if (parsed.kind === 'text') {
    process.stdout.write(parsed.text);
    return 0;
  }
  const logger = createLogger(process.stderr, parsed.logLevel);
  let coordinator: RunningCoordinator | undefined;
  let agent: RunningAgent | undefined;
  try {
    if (parsed.kind === 'agent') {
      agent = startAgent(
        agentOptions(
          parsed.agent,
          {
            // Every replica: the link finds the one that leads, and follows it when it changes.
            address: parsed.coordinators,
            connectTimeoutMs: 5_000,
            insecure: parsed.insecure,
            ...(parsed.tls === undefined ? {} : { tls: parsed.tls }),
          },
          env,
          logger,
        ),
      );
    } else {
      const faults = faultInjection(env, logger);
      const options = { ...parsed.options, logger, ...(faults === undefined ? {} : { faults }) };
      // cohortd's own agent is trusted on a unix socket: one of the state dir's when none is listed.
      if (parsed.agent !== undefined && !options.listen.some((a) => a.startsWith('unix://'))) {
        options.listen = [...options.listen, `unix://${join(options.stateDir, 'agent.sock')}`];
      }
      coordinator = await startCoordinator(options);
      const own = coordinator.addresses.find((address) => address.startsWith('unix://'));
      if (parsed.agent !== undefined && own !== undefined) {
        agent = startAgent(
          agentOptions(parsed.agent, { address: own, connectTimeoutMs: 5_000 }, env, logger),
        );
      }
    }
  } catch (error) {
    const failure = toCohortError(error);
    logger.error({ code: failure.code, message: failure.message }, 'start-failed');
    await coordinator?.stop();
    return 1;
  }
  const reason = await new Promise<string>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
    void coordinator?.failed.then(() => resolve('state-log-failure'));
  });
  logger.info({ reason }, 'stopping');
  agent?.stop();
  await coordinator?.stop();
  return reason === 'state-log-failure' ? 1 : 0;
}

function faultInjection(
  env: Readonly<Record<string, string | undefined>>,
  logger: Logger,
): FaultInjection | undefined {
  if (env[CRASH_AFTER_DECISION_PERSIST] !== '1') return undefined;
  logger.warn(
    {
      variable: CRASH_AFTER_DECISION_PERSIST,
      effect: 'SIGKILL after the next decision is persisted',
    },
    'fault-injection',
  );
  return { afterDecisionPersist: () => process.kill(process.pid, 'SIGKILL') };
}
