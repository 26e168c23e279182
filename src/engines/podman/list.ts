import { readGroupDeclaration, ANNOTATION } from '../../spec/annotations.js';
import type { ContainerState, LocalMember } from '../engine.js';
import { podmanJson, type Podman } from './run.js';

interface PsEntry {
  Id: string;
}

interface InspectEntry {
  Id: string;
  Name: string;
  /** podman keeps a container's last checkpoint in <StaticDir>/checkpoint. */
  StaticDir?: string;
  State?: { Status?: string; ExitCode?: number; OOMKilled?: boolean };
  Config?: { Annotations?: Record<string, string> };
}

/** Every podman container annotated io.cohort.group (of `group`, when given). */
export async function listPodmanMembers(podman: Podman, group?: string): Promise<LocalMember[]> {
  const listed =
    (await podmanJson<PsEntry[] | null>(podman, ['ps', '--all', '--format', 'json'])) ?? [];
  if (listed.length === 0) return [];
  const inspected = await podmanJson<InspectEntry[]>(podman, [
    'container',
    'inspect',
    ...listed.map((entry) => entry.Id),
  ]);
  const members: LocalMember[] = [];
  for (const entry of inspected) {
    const annotations = entry.Config?.Annotations ?? {};
    const declared = annotations[ANNOTATION.group];
    if (declared === undefined || (group !== undefined && declared !== group)) continue;
    let declaration;
    try {
      // podman hands the runtime the full id: the member name a container gets by default.
      declaration = readGroupDeclaration(annotations, entry.Id);
    } catch {
      // Its create failed on these annotations; it was never a member.
      continue;
    }
    if (declaration === undefined) continue;
    const member: LocalMember = {
      engine: 'podman',
      group: declaration.group,
      member: declaration.member,
      containerId: entry.Id,
      label: entry.Name,
      state: stateOf(entry.State?.Status),
      declaration,
    };
    if (member.state === 'stopped' && entry.State?.ExitCode !== undefined)
      member.exitCode = entry.State.ExitCode;
    if (entry.State?.OOMKilled === true) member.oomKilled = true;
    if (entry.StaticDir) member.staticDir = entry.StaticDir;
    members.push(member);
  }
  return members.sort((a, b) => a.member.localeCompare(b.member));
}

function stateOf(status: string | undefined): ContainerState {
  if (status === 'running') return 'running';
  if (status === 'paused') return 'paused';
  return 'stopped';
}
