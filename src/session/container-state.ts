import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The fields of `runc state` a session needs. */
export interface ContainerState {
  id: string;
  status: string;
  bundle: string;
  annotations: Record<string, string>;
}

/** `runc state` with the caller's global flags; undefined when runc knows no such container. */
export async function readContainerState(
  runc: string,
  globalArgs: readonly string[],
  id: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<ContainerState | undefined> {
  try {
    const { stdout } = await run(runc, [...globalArgs, 'state', id], { env });
    const state = JSON.parse(stdout) as Partial<ContainerState>;
    return {
      id,
      status: state.status ?? 'unknown',
      bundle: state.bundle ?? '',
      annotations: state.annotations ?? {},
    };
  } catch {
    // runc says why when it runs the real command; the session stays out of its way.
    return undefined;
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
