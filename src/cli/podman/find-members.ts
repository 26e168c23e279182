import { join } from 'node:path';
import { readGroupDeclaration, ANNOTATION, type GroupDeclaration } from '../../spec/annotations.js';
import { podmanJson, type Podman } from '../../engines/podman/run.js';

/** A podman container that declares itself a member of the group. */
export interface PodmanMember {
  member: string;
  containerId: string;
  containerName: string;
  /** podman's state: running, exited, created, paused... */
  state: string;
  declaration: GroupDeclaration;
  /** Where podman keeps the container's last checkpoint images, when it has one. */
  checkpointPath?: string;
}

interface PsEntry {
  Id: string;
}

interface InspectEntry {
  Id: string;
  Name: string;
  /** podman keeps a container's last checkpoint in <StaticDir>/checkpoint. */
  StaticDir?: string;
  State?: { Status?: string };
  Config?: { Annotations?: Record<string, string> };
}

/** Every podman container whose io.cohort.group annotation names `group`. */
export async function findPodmanMembers(podman: Podman, group: string): Promise<PodmanMember[]> {
  const listed =
    (await podmanJson<PsEntry[] | null>(podman, ['ps', '--all', '--format', 'json'])) ?? [];
  if (listed.length === 0) return [];
  const inspected = await podmanJson<InspectEntry[]>(podman, [
    'container',
    'inspect',
    ...listed.map((entry) => entry.Id),
  ]);
  const members: PodmanMember[] = [];
  for (const entry of inspected) {
    const annotations = entry.Config?.Annotations ?? {};
    if (annotations[ANNOTATION.group] !== group) continue;
    // podman hands the runtime the full id, so that is the member name a container gets by default.
    const declaration = readGroupDeclaration(annotations, entry.Id);
    if (declaration === undefined) continue;
    const member: PodmanMember = {
      member: declaration.member,
      containerId: entry.Id,
      containerName: entry.Name,
      state: entry.State?.Status ?? 'unknown',
      declaration,
    };
    if (entry.StaticDir) member.checkpointPath = join(entry.StaticDir, 'checkpoint');
    members.push(member);
  }
  return members.sort((a, b) => a.member.localeCompare(b.member));
}
