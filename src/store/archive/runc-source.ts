import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ArchiveEntry, ArchiveSource } from '../types.js';

/** The fields of config.dump that checkpointctl and the engines read (podman's ContainerConfig subset). */
export interface ConfigDump {
  id: string;
  name: string;
  rootfsImage?: string;
  rootfsImageRef?: string;
  rootfsImageName?: string;
  /** The OCI runtime's name, as the restoring engine knows it. */
  runtime: string;
  createdTime: string;
  checkpointedTime: string;
  restoredTime?: string;
  restored?: boolean;
}

/** A config.dump for a bare runc container, which has none of its own. */
export function makeConfigDump(facts: {
  id: string;
  name?: string;
  runtime?: string;
  rootfsImageName?: string;
  createdTime?: Date;
  checkpointedTime: Date;
}): ConfigDump {
  const dump: ConfigDump = {
    id: facts.id,
    name: facts.name ?? facts.id,
    runtime: facts.runtime ?? 'runc',
    createdTime: (facts.createdTime ?? facts.checkpointedTime).toISOString(),
    checkpointedTime: facts.checkpointedTime.toISOString(),
    restoredTime: '0001-01-01T00:00:00Z',
    restored: false,
  };
  if (facts.rootfsImageName !== undefined) dump.rootfsImageName = facts.rootfsImageName;
  return dump;
}

export interface RuncCheckpoint {
  /** runc's --image-path: packed as `checkpoint/`. */
  imageDir: string;
  /** The bundle's config.json: packed as `spec.dump`. */
  specFile: string;
  configDump: ConfigDump;
  /** runc's --work-path when it differs from the image dir: its dump.log and stats-dump go on top. */
  workDir?: string;
  /** More entries (cohort's manifest when it is not in the image dir, rootfs-diff.tar, …). */
  extra?: readonly ArchiveEntry[];
}

/** The archive source of a bare runc checkpoint, in the layout podman, CRI-O and checkpointctl share. */
export function makeRuncArchiveSource(checkpoint: RuncCheckpoint): ArchiveSource {
  const entries: ArchiveEntry[] = [
    { name: 'checkpoint', path: checkpoint.imageDir },
    { name: 'spec.dump', path: checkpoint.specFile },
    {
      name: 'config.dump',
      bytes: JSON.stringify(checkpoint.configDump, null, 2) + '\n',
      mode: 0o600,
    },
  ];
  const workDir = checkpoint.workDir;
  if (workDir !== undefined && workDir !== checkpoint.imageDir) {
    for (const name of ['dump.log', 'stats-dump']) {
      if (existsSync(join(workDir, name))) entries.push({ name, path: join(workDir, name) });
    }
  }
  return { kind: 'entries', entries: [...entries, ...(checkpoint.extra ?? [])] };
}
