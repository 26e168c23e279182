import type { CohortConfig } from '../config/schema.js';
import type { CoordinatorClient } from '../coordinator/client.js';

/** Where a verb writes: injectable so verbs run in-process under test. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** stdout is a terminal: progress and --watch redraw in place instead of appending lines. */
  isTty: boolean;
  /** stdout's terminal, read at each redraw to wrap and clip to its size (80x24 when unknown). */
  readonly terminal?: { readonly columns?: number; readonly rows?: number };
}

/** Everything a verb may touch, built once by the entry; nothing below it reads process.env. */
export interface CliContext {
  /** The caller's environment, handed unchanged to the programs cohortctl runs (podman, openssl). */
  env: Readonly<Record<string, string | undefined>>;
  io: CliIo;
  /** Aborted on SIGINT: long-running verbs (--watch, progress) stop cleanly. */
  signal: AbortSignal;
  /** The cohort config (after --config), loaded on first use. */
  config(): Readonly<CohortConfig>;
  /** A connected coordinator client (after --coordinator), opened on first use, closed by the entry. */
  coordinator(): Promise<CoordinatorClient>;
}
