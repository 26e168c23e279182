import type { NodeMember } from '../coordinator/types.js';
import { hasDied, type EngineName, type LocalMember } from '../engines/engine.js';
import { listPodmanMembers } from '../engines/podman/list.js';
import { listRuncMembers } from '../engines/runc/list.js';
import type { RuncTarget } from '../engines/runc/operate.js';
import type { AgentOptions } from './options.js';

/** The engines this agent runs members with, as its hello names them. */
export function enginesOf(o: AgentOptions): EngineName[] {
  return [
    ...(o.podman === undefined ? [] : ['podman' as const]),
    ...(o.runcRoots.length > 0 ? ['runc' as const] : []),
  ];
}

/** Every group member on this node, from every engine. */
export async function listMembers(o: AgentOptions): Promise<LocalMember[]> {
  const podman = o.podman === undefined ? [] : await listPodmanMembers(o.podman);
  const runc = o.runcRoots.length === 0 ? [] : await listRuncMembers(o.runc, o.runcRoots, o.env);
  return [...podman, ...runc];
}

export function runcTarget(o: AgentOptions, root: string): RuncTarget {
  return { cohort: o.cohort, runc: o.runc, root, env: o.env };
}

export function toNodeMember(m: LocalMember): NodeMember {
  return {
    group: m.group,
    member: m.member,
    engine: m.engine,
    containerId: m.containerId,
    label: m.label,
    state: m.state,
    ...(m.exitCode === undefined ? {} : { exitCode: m.exitCode }),
    ...(m.oomKilled === true ? { oomKilled: true } : {}),
  };
}

/** Why a member counts as died, in words: its exit code, its signal, or OOM. */
export function deathOf(m: LocalMember): string | undefined {
  if (!hasDied(m)) return undefined;
  if (m.oomKilled === true) return 'killed for running out of memory (OOM)';
  if (m.exitCode === undefined) return 'stopped (its engine keeps no exit status)';
  return m.exitCode > 128
    ? `killed by signal ${m.exitCode - 128} (exit ${m.exitCode})`
    : `exited ${m.exitCode}`;
}
