/** podman 4.3's checkpoint image keys (libpod/define/annotations.go). */
export const PODMAN_CHECKPOINT = {
  name: 'io.podman.annotations.checkpoint.name',
  rawImageName: 'io.podman.annotations.checkpoint.rawImageName',
  rootfsImageId: 'io.podman.annotations.checkpoint.rootfsImageID',
  rootfsImageName: 'io.podman.annotations.checkpoint.rootfsImageName',
  podmanVersion: 'io.podman.annotations.checkpoint.podman.version',
  criuVersion: 'io.podman.annotations.checkpoint.criu.version',
  /** `podman container restore IMAGE` requires this to equal its own runtime's name. */
  runtimeName: 'io.podman.annotations.checkpoint.runtime.name',
  runtimeVersion: 'io.podman.annotations.checkpoint.runtime.version',
  conmonVersion: 'io.podman.annotations.checkpoint.conmon.version',
  hostArch: 'io.podman.annotations.checkpoint.host.arch',
  hostKernel: 'io.podman.annotations.checkpoint.host.kernel',
  cgroupVersion: 'io.podman.annotations.checkpoint.cgroups.version',
  distributionVersion: 'io.podman.annotations.checkpoint.distribution.version',
  distributionName: 'io.podman.annotations.checkpoint.distribution.name',
} as const;

/** CRI-O recognises a checkpoint image by this key (its value: the container's name). */
export const CRIO_CHECKPOINT_NAME = 'io.kubernetes.cri-o.annotations.checkpoint.name';

/** checkpointctl's keys, which containerd's CRI reads (from the tagged document's annotations). */
export const CRIU_CHECKPOINT = {
  engine: 'org.criu.checkpoint.engine.name',
  engineVersion: 'org.criu.checkpoint.engine.version',
  name: 'org.criu.checkpoint.container.name',
  rootfsImageName: 'org.criu.checkpoint.rootfsImageName',
  rootfsImageId: 'org.criu.checkpoint.rootfsImageID',
  rawImageName: 'org.criu.checkpoint.rawImageName',
  runtimeName: 'org.criu.checkpoint.runtime.name',
  runtimeVersion: 'org.criu.checkpoint.runtime.version',
  criuVersion: 'org.criu.checkpoint.criu.version',
  conmonVersion: 'org.criu.checkpoint.conmon.version',
  hostArch: 'org.criu.checkpoint.host.arch',
  hostKernel: 'org.criu.checkpoint.host.kernel',
  cgroupVersion: 'org.criu.checkpoint.cgroup.version',
  distributionName: 'org.criu.checkpoint.distribution.name',
  distributionVersion: 'org.criu.checkpoint.distribution.version',
} as const;

/** What the engines' keys say about a checkpointed container and the node; the caller supplies them. */
export interface CheckpointFacts {
  containerName: string;
  rootfsImageName: string;
  rootfsImageId: string;
  rawImageName?: string;
  /** The runtime's name as podman on the restoring node knows it (default `cohort`). */
  runtimeName?: string;
  runtimeVersion?: string;
  /** CRIU's version: `4.2.1`, or podman's integer form `40201`. */
  criuVersion: string | number;
  engine?: string;
  engineVersion?: string;
  conmonVersion?: string;
  hostArch?: string;
  hostKernel?: string;
  cgroupVersion?: string;
  distributionName?: string;
  distributionVersion?: string;
}

/** The runtime name written when the caller gives none: podman's restore compares it with its own. */
export const DEFAULT_RUNTIME_NAME = 'cohort';

/** CRIU's version in podman's integer form (major*10000 + minor*100 + sublevel). */
export function criuVersionNumber(version: string | number): string {
  if (typeof version === 'number') return String(version);
  const match = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(version.trim());
  if (match === null) return version.trim();
  const [, major = '0', minor = '0', sub = '0'] = match;
  return String(Number(major) * 10000 + Number(minor) * 100 + Number(sub));
}

/** podman's, CRI-O's and checkpointctl's annotations for one member's checkpoint image. */
export function checkpointAnnotations(facts: CheckpointFacts): Record<string, string> {
  const runtimeName = facts.runtimeName ?? DEFAULT_RUNTIME_NAME;
  const criu = criuVersionNumber(facts.criuVersion);
  const out: Record<string, string> = {
    [PODMAN_CHECKPOINT.name]: facts.containerName,
    [PODMAN_CHECKPOINT.rawImageName]: facts.rawImageName ?? facts.rootfsImageName,
    [PODMAN_CHECKPOINT.rootfsImageId]: facts.rootfsImageId,
    [PODMAN_CHECKPOINT.rootfsImageName]: facts.rootfsImageName,
    [PODMAN_CHECKPOINT.criuVersion]: criu,
    [PODMAN_CHECKPOINT.runtimeName]: runtimeName,
    [CRIO_CHECKPOINT_NAME]: facts.containerName,
    [CRIU_CHECKPOINT.engine]: facts.engine ?? 'podman',
    [CRIU_CHECKPOINT.name]: facts.containerName,
    [CRIU_CHECKPOINT.rootfsImageName]: facts.rootfsImageName,
    [CRIU_CHECKPOINT.rootfsImageId]: facts.rootfsImageId,
    [CRIU_CHECKPOINT.rawImageName]: facts.rawImageName ?? facts.rootfsImageName,
    [CRIU_CHECKPOINT.runtimeName]: runtimeName,
    [CRIU_CHECKPOINT.criuVersion]: criu,
  };
  const optional: [string | undefined, string, string?][] = [
    [facts.engineVersion, PODMAN_CHECKPOINT.podmanVersion, CRIU_CHECKPOINT.engineVersion],
    [facts.runtimeVersion, PODMAN_CHECKPOINT.runtimeVersion, CRIU_CHECKPOINT.runtimeVersion],
    [facts.conmonVersion, PODMAN_CHECKPOINT.conmonVersion, CRIU_CHECKPOINT.conmonVersion],
    [facts.hostArch, PODMAN_CHECKPOINT.hostArch, CRIU_CHECKPOINT.hostArch],
    [facts.hostKernel, PODMAN_CHECKPOINT.hostKernel, CRIU_CHECKPOINT.hostKernel],
    [facts.cgroupVersion, PODMAN_CHECKPOINT.cgroupVersion, CRIU_CHECKPOINT.cgroupVersion],
    [facts.distributionName, PODMAN_CHECKPOINT.distributionName, CRIU_CHECKPOINT.distributionName],
    [
      facts.distributionVersion,
      PODMAN_CHECKPOINT.distributionVersion,
      CRIU_CHECKPOINT.distributionVersion,
    ],
  ];
  for (const [value, podmanKey, criuKey] of optional) {
    if (value === undefined) continue;
    out[podmanKey] = value;
    if (criuKey !== undefined) out[criuKey] = value;
  }
  return out;
}
