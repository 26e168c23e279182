import type { CohortConfig } from '../config/schema.js';
import type { RuncLogLevel } from '../core/runc-log.js';
import type { SessionServices } from '../session/session-services.js';
import type { RuntimeArgv } from './argv.js';

/** What an intercepted command decides: let the front door exec runc, or it ran runc itself. */
export type Verdict = { kind: 'exec' } | { kind: 'done'; exitCode: number };

export const EXEC_RUNC: Verdict = { kind: 'exec' };

/** Everything an intercepted command may use; entries build it, nothing below reads process.env. */
export interface RuntimeContext {
  argv: RuntimeArgv;
  cwd: string;
  /** The caller's environment, to hand to runc unchanged. */
  env: Readonly<Record<string, string | undefined>>;
  /** Loads and validates cohort's config on first use; throws CohortError(Config). */
  config(): Readonly<CohortConfig>;
  /** The real runc: as the front door resolved it, without loading the config when it did. */
  runc(): string;
  /** Reports in runc's log format to the caller's --log (and errors to stderr). */
  report(level: RuncLogLevel, message: string): void;
  /** Present in the session host alone: a group member's checkpoint or restore needs it. */
  sessions?: SessionServices;
}
