import { resolve } from 'node:path';
import type { CoordinatorClient } from '../coordinator/client.js';
import type { GroupStatus } from '../coordinator/types.js';
import { CohortError, ErrorCode } from '../core/errors.js';
import { readImageManifest } from '../criu/image-manifest.js';
import { checkMembership } from './check-membership.js';
import { findArchiveMembers } from './podman/archive-members.js';
import { podmanGroup } from './podman-group.js';
import { runPodman, type Podman } from '../engines/podman/run.js';
import { unknownGroup } from './require-group.js';

/** One member to restore: from its container's own checkpoint, or from an archive. */
export interface RestoreSource {
  member: string;
  label: string;
  epoch: number | undefined;
  /** The podman arguments naming what to restore: the container id, or --import ARCHIVE. */
  target: string[];
}

export interface RestorePlan {
  sources: RestoreSource[];
  status?: GroupStatus;
}

/** In place: the group's stopped podman containers, each holding its last checkpoint. */
export async function planInPlace(
  client: CoordinatorClient,
  podman: Podman,
  group: string,
): Promise<RestorePlan> {
  const { members, status } = await podmanGroup(client, podman, group);
  checkMembership(
    group,
    members.map((m) => ({ ...m, label: m.containerName })),
    status?.manifest,
  );
  const running = members.filter(
    (member) => member.state === 'running' || member.state === 'paused',
  );
  if (running.length > 0) {
    const list = running.map((member) => `${member.member} (${member.containerName})`).join(', ');
    throw new CohortError(
      ErrorCode.Engine,
      `group ${group}: ${list} still running; checkpoint or stop the group first`,
    );
  }
  const sources = members.map((member): RestoreSource => {
    const manifest =
      member.checkpointPath === undefined ? undefined : readImageManifest(member.checkpointPath);
    return {
      member: member.member,
      label: member.containerName,
      epoch: manifest?.epoch,
      target: [member.containerId],
    };
  });
  return status === undefined ? { sources } : { sources, status };
}

/** From archives: DIR/<member>.tar.gz, each restored as a new container with its old name. */
export async function planImport(
  client: CoordinatorClient,
  podman: Podman,
  group: string,
  dir: string,
): Promise<RestorePlan> {
  const reply = await client.status();
  const status = reply.groups.find((candidate) => candidate.name === group);
  const archives = await findArchiveMembers(resolve(dir), group);
  if (archives.length === 0) {
    if (status === undefined)
      throw unknownGroup(
        group,
        reply.groups.map((candidate) => candidate.name),
      );
    throw new CohortError(
      ErrorCode.NotFound,
      `--import ${dir} holds no archive of group ${group}`,
      { details: { group } },
    );
  }
  checkMembership(
    group,
    archives.map((a) => ({ ...a, label: a.path })),
    status?.manifest,
  );
  for (const archive of archives) {
    const exists = await runPodman(podman, ['container', 'exists', archive.containerName]);
    if (exists.exitCode === 0) {
      throw new CohortError(
        ErrorCode.Engine,
        `container ${archive.containerName} (member ${archive.member}) still exists; remove it (podman rm ${archive.containerName}) to restore from ${archive.path}, or restore in place without --import`,
      );
    }
  }
  const sources = archives.map((archive): RestoreSource => ({
    member: archive.member,
    label: archive.containerName,
    epoch: archive.manifest?.epoch,
    target: ['--import', archive.path],
  }));
  return status === undefined ? { sources } : { sources, status };
}

/** The one epoch every member's images hold; refuses plain (uncoordinated) and mixed images. */
export function commonEpoch(
  group: string,
  sources: readonly RestoreSource[],
  wanted: number | undefined,
): number {
  const plain = sources.find((source) => source.epoch === undefined);
  if (plain !== undefined) {
    throw new CohortError(
      ErrorCode.NotFound,
      `member ${plain.member} (${plain.label}) has no coordinated checkpoint of group ${group}; checkpoint the group with cohortctl checkpoint first`,
      { details: { group, member: plain.member } },
    );
  }
  const epochs = [...new Set(sources.map((source) => source.epoch))];
  if (epochs.length > 1) {
    const list = sources.map((source) => `${source.member}@${source.epoch}`).join(', ');
    throw new CohortError(
      ErrorCode.NotFound,
      `group ${group}: members hold different checkpoints (${list}); restore from archives of one epoch with --import`,
      {
        details: { group },
      },
    );
  }
  const epoch = epochs[0] ?? 0;
  if (wanted !== undefined && wanted !== epoch) {
    throw new CohortError(
      ErrorCode.NotFound,
      `group ${group}: the images hold checkpoint epoch ${epoch}, not ${wanted}; restore epoch ${wanted} from its exported archives with --import DIR`,
      { details: { group, epoch: wanted } },
    );
  }
  return epoch;
}

/** A restore may only use a checkpoint every member completed: permanent at the coordinator. */
export async function requirePermanent(
  client: CoordinatorClient,
  group: string,
  epoch: number,
): Promise<void> {
  const record = (await client.history(group)).find(
    (round) => round.kind === 'checkpoint' && round.epoch === epoch,
  );
  if (record?.outcome === 'permanent') return;
  const state = record === undefined ? 'unknown to the coordinator' : record.outcome;
  throw new CohortError(
    ErrorCode.NotPermanent,
    `checkpoint epoch ${epoch} of group ${group} is ${state}, not permanent; restore from a checkpoint every member completed (see cohortctl history ${group})`,
    { details: { group, epoch } },
  );
}
