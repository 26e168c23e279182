import { CohortError, ErrorCode, isCohortError } from '../../core/errors.js';
import { readGroupDeclaration } from '../../spec/annotations.js';
import { readAnnotations, readBundleSpec } from '../../spec/bundle-spec.js';
import { parseCreateArgs } from '../command-args.js';
import { EXEC_RUNC, type RuntimeContext, type Verdict } from '../context.js';
import { collectStaleContainerState } from '../collect-stale-state.js';
import { prepareBundle } from '../prepare-bundle.js';

/** `create` and `run`: attach the CRIU config to the bundle, then runc runs with the caller's argv. */
export function create(context: RuntimeContext): Verdict {
  const args = parseCreateArgs(context.argv.commandArgs, context.cwd);
  // runc prints its own usage and help; cohort adds nothing there.
  if (args.help || args.id === undefined) return EXEC_RUNC;
  let config;
  try {
    config = context.config();
  } catch (error) {
    if (!isCohortError(error, ErrorCode.Config)) throw error;
    const declaration = readGroupDeclaration(
      readAnnotations(readBundleSpec(args.bundle).spec),
      args.id,
    );
    if (declaration !== undefined) {
      throw new CohortError(
        ErrorCode.Config,
        `container ${args.id} joins group "${declaration.group}", which needs a valid cohort config: ${error.message}`,
        { cause: error },
      );
    }
    context.report(
      'warning',
      `${error.message}; container ${args.id} is created as plain runc would`,
    );
    return EXEC_RUNC;
  }
  const prepared = prepareBundle(config, args.bundle, args.id, context.argv.globals.root);
  for (const note of prepared.notes) context.report('info', note);
  if (prepared.stateDir !== undefined)
    collectStaleContainerState(prepared.stateDir, context.argv.globals.root);
  return EXEC_RUNC;
}
