import { checkpointAnnotations, type CheckpointFacts } from './checkpoint-annotations.js';

/** The fields of `podman container inspect` (one element of its JSON array) that name the container. */
export interface PodmanInspect {
  Name: string;
  /** The rootfs image's id. */
  Image: string;
  /** The rootfs image's resolved name. */
  ImageName: string;
}

/** The node facts `podman info` and `podman version` give (`--format json`), and CRIU's version. */
export interface PodmanVersions {
  podmanVersion: string;
  criuVersion: string | number;
  /** The runtime's name as podman on the restoring node knows it (default `cohort`). */
  runtimeName?: string;
  runtimeVersion?: string;
  conmonVersion?: string;
  hostArch?: string;
  hostKernel?: string;
  cgroupVersion?: string;
  distributionName?: string;
  distributionVersion?: string;
}

/** podman's checkpoint image annotations (plus CRI-O's and checkpointctl's) from inspect output. */
export function podmanCheckpointAnnotations(
  inspect: PodmanInspect,
  versions: PodmanVersions,
): Record<string, string> {
  const facts: CheckpointFacts = {
    containerName: inspect.Name,
    rootfsImageName: inspect.ImageName,
    rootfsImageId: inspect.Image,
    rawImageName: inspect.ImageName,
    criuVersion: versions.criuVersion,
    engine: 'podman',
    engineVersion: versions.podmanVersion,
  };
  const copy = [
    'runtimeName',
    'runtimeVersion',
    'conmonVersion',
    'hostArch',
    'hostKernel',
    'cgroupVersion',
    'distributionName',
    'distributionVersion',
  ] as const;
  for (const key of copy) {
    const value = versions[key];
    if (value !== undefined) facts[key] = value;
  }
  return checkpointAnnotations(facts);
}
