import type { CoordinatorClient } from '../coordinator/client.js';
import type { GroupStatus } from '../coordinator/types.js';
import { CohortError, ErrorCode } from '../core/errors.js';
import { findPodmanMembers, type PodmanMember } from './podman/find-members.js';
import type { Podman } from '../engines/podman/run.js';
import { unknownGroup } from './require-group.js';

export interface PodmanGroup {
  members: PodmanMember[];
  /** The coordinator's view of the group, when it knows it (a group may be declared only by annotations). */
  status?: GroupStatus;
}

/** The group's podman containers and the coordinator's view of it; unknown to both is not found. */
export async function podmanGroup(
  client: CoordinatorClient,
  podman: Podman,
  group: string,
): Promise<PodmanGroup> {
  const reply = await client.status();
  const status = reply.groups.find((candidate) => candidate.name === group);
  const members = await findPodmanMembers(podman, group);
  if (members.length > 0) return status === undefined ? { members } : { members, status };
  if (status === undefined)
    throw unknownGroup(
      group,
      reply.groups.map((candidate) => candidate.name),
    );
  throw new CohortError(
    ErrorCode.NotFound,
    `group ${group} has no podman containers (none is annotated io.cohort.group=${group}); create its members first`,
    { details: { group } },
  );
}
