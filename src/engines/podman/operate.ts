import { CohortError, ErrorCode } from '../../core/errors.js';
import { criuFlags, type CriuOptions } from '../options.js';
import { failureReason, runPodman, type Podman } from './run.js';

/**
 * `podman container checkpoint` of one member; with `exportTo`, podman writes the archive there
 * uncompressed (a FIFO the store reads), so no second copy lands on disk.
 */
export async function checkpointPodman(
  podman: Podman,
  containerId: string,
  options: CriuOptions,
  exportTo?: string,
): Promise<void> {
  const exporting = exportTo === undefined ? [] : ['--export', exportTo, '--compress', 'none'];
  await podmanStep(
    podman,
    ['container', 'checkpoint', ...criuFlags(options), ...exporting, containerId],
    containerId,
  );
}

/** `podman container restore --import ARCHIVE`: a new container from a member's archive. */
export async function restorePodman(
  podman: Podman,
  archive: string,
  options: CriuOptions,
): Promise<void> {
  await podmanStep(
    podman,
    ['container', 'restore', '--import', archive, ...criuFlags(options, true)],
    archive,
  );
}

/**
 * Kills and removes a container, whatever its state; a container already gone is fine. Its state
 * is discarded (a restore replaces it), so it gets no SIGTERM grace, as runc's delete --force.
 */
export async function removePodman(podman: Podman, containerId: string): Promise<void> {
  const result = await runPodman(podman, ['rm', '--force', '--time', '0', containerId]);
  if (result.exitCode !== 0 && !/no such container/i.test(result.stderr)) {
    throw new CohortError(
      ErrorCode.Engine,
      `podman rm ${containerId} failed: ${failureReason(result.stderr)}`,
      {
        details: { container: containerId },
      },
    );
  }
}

async function podmanStep(podman: Podman, args: string[], subject: string): Promise<void> {
  const result = await runPodman(podman, args);
  if (result.exitCode !== 0) {
    throw new CohortError(
      ErrorCode.Engine,
      `podman ${args[0]} ${args[1]} of ${subject} failed: ${failureReason(result.stderr)}`,
      {
        details: { container: subject, exitCode: result.exitCode },
      },
    );
  }
}
