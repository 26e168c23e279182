import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './run.js';
import { RUNC } from './runc.js';

export type FreezerState = 'FROZEN' | 'FREEZING' | 'THAWED';

/** A process's cgroup paths by controller ("" is the cgroup v2 unified hierarchy). */
export function processCgroups(pid: number): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n')) {
    const match = /^\d+:([^:]*):(.*)$/.exec(line);
    if (match === null) continue;
    for (const controller of (match[1] as string).split(','))
      map.set(controller, match[2] as string);
  }
  return map;
}

/** The directory of a controller's cgroup for a process (v1 when mounted, else the v2 tree). */
export function cgroupDir(pid: number, controller: string): string | undefined {
  const cgroups = processCgroups(pid);
  const v1 = cgroups.get(controller);
  if (v1 !== undefined && existsSync(`/sys/fs/cgroup/${controller}`)) {
    return join('/sys/fs/cgroup', controller, v1);
  }
  const v2 = cgroups.get('');
  if (v2 === undefined) return undefined;
  const v2Root = existsSync('/sys/fs/cgroup/unified') ? '/sys/fs/cgroup/unified' : '/sys/fs/cgroup';
  return join(v2Root, v2);
}

/** The freezer state of a process's cgroup: v1 freezer.state, or v2 cgroup.freeze mapped to the same words. */
export function freezerState(pid: number): FreezerState {
  const cgroups = processCgroups(pid);
  const v1 = cgroups.get('freezer');
  if (v1 !== undefined && existsSync('/sys/fs/cgroup/freezer')) {
    return readFileSync(
      join('/sys/fs/cgroup/freezer', v1, 'freezer.state'),
      'utf8',
    ).trim() as FreezerState;
  }
  const dir = cgroupDir(pid, '');
  if (dir === undefined) throw new Error(`process ${pid} has no freezer cgroup`);
  const events = readFileSync(join(dir, 'cgroup.events'), 'utf8');
  const frozen = /^frozen 1$/m.test(events);
  const wanted = readFileSync(join(dir, 'cgroup.freeze'), 'utf8').trim() === '1';
  if (frozen) return 'FROZEN';
  return wanted ? 'FREEZING' : 'THAWED';
}

/** The freezer state of a runc container, found from `runc state`'s pid. */
export async function containerFreezerState(root: string, id: string): Promise<FreezerState> {
  const state = await run(RUNC, ['--root', root, 'state', id]);
  if (state.exitCode !== 0) throw new Error(`runc state ${id}: ${state.stderr}`);
  return freezerState((JSON.parse(state.stdout) as { pid: number }).pid);
}

/** What a user checks on a container: is it there, running, and not frozen? */
export async function containerCondition(
  root: string,
  id: string,
): Promise<{ status: string; freezer?: FreezerState }> {
  const state = await run(RUNC, ['--root', root, 'state', id]);
  if (state.exitCode !== 0) return { status: 'gone' };
  const status = (JSON.parse(state.stdout) as { status: string }).status;
  if (status === 'stopped') return { status };
  return { status, freezer: await containerFreezerState(root, id) };
}
