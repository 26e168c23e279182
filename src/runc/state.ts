import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CohortError, ErrorCode } from '../core/errors.js';

const run = promisify(execFile);

/** The fields of `runc state` cohort needs. */
export interface ContainerState {
  id: string;
  status: string;
  bundle: string;
  annotations: Record<string, string>;
}

/** runc's libcontainer.ErrNotExist text: the one failure that proves there is nothing to dump. */
const NOT_EXIST = 'container does not exist';

/**
 * `runc state` with the caller's global flags: the state, or undefined when runc knows no such
 * container. Any other failure throws: a container whose state cannot be read may be a group
 * member, and a member must never be dumped as if it were plain.
 */
export async function readContainerState(
  runc: string,
  globalArgs: readonly string[],
  id: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<ContainerState | undefined> {
  let stdout: string;
  try {
    ({ stdout } = await run(runc, [...globalArgs, 'state', id], { env }));
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? '');
    if (stderr.includes(NOT_EXIST)) return undefined;
    const why = stderr.trim().split('\n').at(-1) ?? String(error);
    throw new CohortError(
      ErrorCode.Runc,
      `cannot read the state of container ${id} (runc state: ${why}); cohort refuses to checkpoint a container it cannot tell is in no group: fix runc's state root (--root) or retry`,
      { cause: error, details: { container: id } },
    );
  }
  const state = parseState(stdout, id);
  return {
    id,
    status: state.status ?? 'unknown',
    bundle: state.bundle ?? '',
    annotations: state.annotations ?? {},
  };
}

function parseState(stdout: string, id: string): Partial<ContainerState> {
  try {
    return JSON.parse(stdout) as Partial<ContainerState>;
  } catch (error) {
    throw new CohortError(
      ErrorCode.Runc,
      `runc state ${id} printed no JSON; check that "runc" in cohort's config is runc`,
      { cause: error, details: { container: id } },
    );
  }
}

/** `runc resume`: the safety net when a failed dump leaves the container frozen. */
export async function resumeContainer(
  runc: string,
  globalArgs: readonly string[],
  id: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<void> {
  await run(runc, [...globalArgs, 'resume', id], { env });
}
