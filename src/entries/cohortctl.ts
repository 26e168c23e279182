import { runCli } from '../cli/parser.js';
import type { CliIo } from '../cli/context.js';
import { EXIT } from '../cli/exit-codes.js';
import { makeContext } from '../cli/make-context.js';
import { ErrorCode, toCohortError, type CohortError } from '../core/errors.js';

export interface MainOptions {
  io?: CliIo;
  /** Stops --watch and progress; when absent, SIGINT does. */
  signal?: AbortSignal;
}

/** cohortctl: runs one verb; the only place errors become exit codes and a line on stderr. */
export async function main(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  options: MainOptions = {},
): Promise<number> {
  const io = options.io ?? processIo();
  const interrupt = new AbortController();
  const onSigint = (): void => interrupt.abort();
  if (options.signal === undefined) process.on('SIGINT', onSigint);
  const context = makeContext(env, io, options.signal ?? interrupt.signal);
  try {
    await runCli(context, argv);
    return EXIT.ok;
  } catch (error) {
    const failure = toCohortError(error);
    io.err(`cohortctl: ${failure.message.split('\n')[0] ?? failure.code}\n`);
    return exitCodeOf(failure);
  } finally {
    context.close();
    process.off('SIGINT', onSigint);
  }
}

const EXIT_BY_CODE: Partial<Record<ErrorCode, number>> = {
  [ErrorCode.Argv]: EXIT.usage,
  [ErrorCode.Config]: EXIT.usage,
  [ErrorCode.Manifest]: EXIT.usage,
  [ErrorCode.Annotation]: EXIT.usage,
  [ErrorCode.BadMessage]: EXIT.usage,
  [ErrorCode.Unreachable]: EXIT.unreachable,
  [ErrorCode.UnknownGroup]: EXIT.notFound,
  [ErrorCode.NotFound]: EXIT.notFound,
  [ErrorCode.NotMember]: EXIT.notFound,
  [ErrorCode.NotPermanent]: EXIT.notFound,
  [ErrorCode.EngineMissing]: EXIT.engineMissing,
  [ErrorCode.StoreLocation]: EXIT.usage,
  [ErrorCode.StoreUnreachable]: EXIT.storeUnreachable,
  [ErrorCode.StoreAuth]: EXIT.storeAuth,
  [ErrorCode.StoreFull]: EXIT.storeFull,
  [ErrorCode.StoreDigest]: EXIT.storeCorrupt,
  [ErrorCode.StoreNotFound]: EXIT.notFound,
  [ErrorCode.StoreWrongGroup]: EXIT.storeWrongGroup,
  [ErrorCode.NotStored]: EXIT.notStored,
};

function exitCodeOf(error: CohortError): number {
  return EXIT_BY_CODE[error.code] ?? EXIT.failed;
}

function processIo(): CliIo {
  return {
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    isTty: process.stdout.isTTY === true,
    terminal: process.stdout,
  };
}
