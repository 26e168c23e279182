import type { Argv } from 'yargs';
import { CohortError, ErrorCode } from './errors.js';
import { cohortVersion } from './package-paths.js';

/**
 * What every cohort command line shares: strict flags, --version, -h, no process.exit, and
 * usage errors as one CohortError(Argv) for the entry to report.
 */
export function withCliConventions<T>(parser: Argv<T>, program: string): Argv<T> {
  return parser
    .strict()
    .version(cohortVersion())
    .help()
    .alias('h', 'help')
    .wrap(null)
    .exitProcess(false)
    .fail((message, error) => {
      // yargs reports its own usage errors as YError; anything else came from the program.
      if (error !== undefined && error !== null && error.name !== 'YError') throw error;
      throw new CohortError(
        ErrorCode.Argv,
        `${message || error?.message || 'bad usage'} (see ${program} --help)`,
      );
    });
}
