import { readFileSync } from 'node:fs';
import { configLocation } from '../../config/load.js';
import { resolveRunc } from '../../config/runc.js';
import { toCohortError } from '../../core/errors.js';
import { reportToCaller } from '../../core/runc-log.js';
import type { Logger } from '../../coordinator/server/logger.js';
import { parseRuntimeArgv } from '../argv.js';
import type { RuntimeContext, Verdict } from '../context.js';
import { dispatch } from '../dispatch.js';
import type { CallChannel } from './channel.js';
import { FrontDoor } from './front-door.js';
import type { SharedServices } from './shared-services.js';

/** What bin/cohort wrote to the channel's `call` file before it said "@go". */
export interface FrontDoorCall {
  cwd: string;
  /** COHORT_CONFIG as the caller had it; undefined when unset. */
  configEnv?: string;
  argv: string[];
}

/** The call file: cwd, "1" if COHORT_CONFIG is set, its value, then argv; NUL after each. */
export function parseCallFile(bytes: Buffer): FrontDoorCall {
  const fields = bytes.toString('utf8').split('\0');
  fields.pop();
  const [cwd = '/', isSet = '', value = '', ...argv] = fields;
  return { cwd, argv, ...(isSet === '1' ? { configEnv: value } : {}) };
}

/**
 * One intercepted call, served warm: the same dispatch a one-off Node would run, with the
 * host's shared services, and runc run by the caller's own front door.
 */
export async function serveCall(
  channel: CallChannel,
  goLine: string,
  shared: SharedServices,
  env: Readonly<Record<string, string | undefined>>,
  logger: Logger,
): Promise<void> {
  const pid = Number(goLine.split(' ')[1]);
  const frontDoor = new FrontDoor(channel, pid);
  const say: string[] = [];
  let verdict: Verdict;
  try {
    const call = parseCallFile(readFileSync(channel.path('call')));
    const location = configLocation(
      call.configEnv === undefined ? {} : { COHORT_CONFIG: call.configEnv },
    );
    const argv = parseRuntimeArgv(call.argv);
    const target = { logPath: argv.globals.log, logFormat: argv.globals.logFormat };
    const context: RuntimeContext = {
      argv,
      cwd: call.cwd,
      env,
      config: () => shared.config(location),
      runc: () => resolveRunc(context.config(), location.path ?? 'the default config'),
      report: (level, message) => reportToCaller(target, level, message, (text) => say.push(text)),
      sessions: {
        coordinator: (options) => shared.coordinator(options),
        requireCriu: (criu) => shared.requireCriu(criu),
        launcher: frontDoor,
      },
    };
    try {
      verdict = await dispatch(context);
    } catch (error) {
      context.report('error', toCohortError(error).message);
      verdict = { kind: 'done', exitCode: 1 };
    }
  } catch (error) {
    // The call file itself is unreadable: nothing to dispatch.
    say.push(`cohort: ${toCohortError(error).message}\n`);
    verdict = { kind: 'done', exitCode: 1 };
  }
  frontDoor.finish(
    verdict.kind === 'exec' ? verdict : { kind: 'exit', code: verdict.exitCode, say: say.join('') },
  );
  logger.debug({ pid, verdict: verdict.kind }, 'front-door-call');
  channel.close();
}
