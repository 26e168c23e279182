import { main } from '../../../src/entries/cohortctl.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunCliOptions {
  env?: Record<string, string | undefined>;
  signal?: AbortSignal;
  isTty?: boolean;
  /** The terminal's width and height, when isTty. */
  columns?: number;
  rows?: number;
  /** Called with everything written to stdout so far, after each write. */
  onStdout?: (stdout: string) => void;
}

/** Runs cohortctl's main in this process with captured output: no process.env, no real stdio. */
export async function cohortctl(
  argv: readonly string[],
  options: RunCliOptions = {},
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, options.env ?? {}, {
    io: {
      out: (text) => {
        stdout += text;
        options.onStdout?.(stdout);
      },
      err: (text) => (stderr += text),
      isTty: options.isTty ?? false,
      terminal: { columns: options.columns, rows: options.rows },
    },
    signal: options.signal ?? new AbortController().signal,
  });
  return { code, stdout, stderr };
}
