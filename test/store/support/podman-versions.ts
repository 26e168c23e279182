import { run } from '../../helpers/run.js';
import type { PodmanEnv } from '../../helpers/podman.js';
import type { PodmanInspect, PodmanVersions } from '../../../src/store/index.js';

/** The facts podman's checkpoint annotations carry, read from this env's podman and CRIU. */
export async function readPodmanVersions(
  podman: PodmanEnv,
  criu = '/usr/local/sbin/criu',
): Promise<PodmanVersions> {
  const info = JSON.parse((await podman.podman(['info', '--format', 'json'])).stdout) as {
    host: {
      ociRuntime: { name: string; version: string };
      conmon: { version: string };
      arch: string;
      kernel: string;
      cgroupVersion: string;
      distribution: { distribution: string; version: string };
    };
  };
  const version = JSON.parse((await podman.podman(['version', '--format', 'json'])).stdout) as {
    Client: { Version: string };
  };
  const criuVersion = /Version: (\S+)/.exec((await run(criu, ['--version'])).stdout)?.[1] ?? '0';
  return {
    podmanVersion: version.Client.Version,
    criuVersion,
    // What `podman container restore IMAGE` on this node compares with.
    runtimeName: info.host.ociRuntime.name,
    runtimeVersion: info.host.ociRuntime.version,
    conmonVersion: info.host.conmon.version,
    hostArch: info.host.arch,
    hostKernel: info.host.kernel,
    cgroupVersion: info.host.cgroupVersion,
    distributionName: info.host.distribution.distribution,
    distributionVersion: info.host.distribution.version,
  };
}

export async function inspectContainer(podman: PodmanEnv, name: string): Promise<PodmanInspect> {
  const [inspect] = JSON.parse(
    (await podman.podman(['container', 'inspect', name])).stdout,
  ) as PodmanInspect[];
  if (inspect === undefined) throw new Error(`podman inspect ${name} printed nothing`);
  return inspect;
}
