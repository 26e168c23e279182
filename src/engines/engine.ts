import type { GroupDeclaration } from '../spec/annotations.js';

export type EngineName = 'podman' | 'runc';

/** Where a member's container is: running (or paused), or stopped with how it ended. */
export type ContainerState = 'running' | 'paused' | 'stopped';

/** A container on this node that declares a group, as its engine sees it now. */
export interface LocalMember {
  engine: EngineName;
  group: string;
  member: string;
  /** The container as its engine names it: podman's full id, runc's id. */
  containerId: string;
  /** What a person calls it: podman's container name, runc's id. */
  label: string;
  state: ContainerState;
  /** How a stopped container ended, when the engine says. */
  exitCode?: number;
  oomKilled?: boolean;
  declaration: GroupDeclaration;
  /** runc: the state root it lives under, and its bundle. */
  runcRoot?: string;
  bundle?: string;
  /** podman: where it keeps the container's own files (checkpoint images, spec.dump). */
  staticDir?: string;
}

/** One engine's group members on this node. */
export interface EngineAdapter {
  readonly name: EngineName;
  list(): Promise<LocalMember[]>;
}

/** A member that stopped on its own with a non-zero code or a signal: a failure, not an end. */
export function hasDied(member: LocalMember): boolean {
  return member.state === 'stopped' && (member.exitCode !== 0 || member.oomKilled === true);
}
