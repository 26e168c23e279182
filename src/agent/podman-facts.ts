import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { podmanJson, type Podman } from '../engines/podman/run.js';
import { podmanCheckpointAnnotations, type PodmanInspect } from '../store/index.js';
import type { AgentOptions } from './options.js';

const run = promisify(execFile);

let versions: Promise<{ podmanVersion: string; criuVersion: string }> | undefined;

/** The annotations podman, CRI-O and checkpointctl look for on a member's checkpoint image. */
export async function podmanAnnotations(
  podman: Podman,
  containerId: string,
  o: Pick<AgentOptions, 'podmanRuntimeName' | 'env'>,
): Promise<Record<string, string>> {
  const [inspect] = await podmanJson<PodmanInspect[]>(podman, [
    'container',
    'inspect',
    containerId,
  ]);
  const node = await (versions ??= nodeVersions(podman, o.env));
  return podmanCheckpointAnnotations(inspect ?? { Name: containerId, Image: '', ImageName: '' }, {
    ...node,
    runtimeName: o.podmanRuntimeName,
  });
}

/** podman's and CRIU's versions on this node, asked once. */
async function nodeVersions(
  podman: Podman,
  env: Readonly<Record<string, string | undefined>>,
): Promise<{ podmanVersion: string; criuVersion: string }> {
  const version = await podmanJson<{ Client?: { Version?: string } }>(podman, [
    'version',
    '--format',
    'json',
  ]);
  const criu = await run('criu', ['--version'], { env: { ...env } }).then(
    (r) => /Version:\s*(\S+)/.exec(r.stdout)?.[1] ?? '',
    () => '',
  );
  return { podmanVersion: version.Client?.Version ?? '', criuVersion: criu };
}
