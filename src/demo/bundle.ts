import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ANNOTATION } from '../spec/annotations.js';
import { makeBusyboxRootfs } from './busybox-rootfs.js';
import type { DemoMember } from './workload.js';

export interface DemoBundleOptions {
  runc: string;
  group: string;
  members: readonly string[];
  netnsPath: string;
  /** A flat cgroup path of this run's own: runc delete removes only the leaf of a nested one. */
  cgroupsPath: string;
}

/** An OCI bundle made by `runc spec`, then given the member's program and group annotations. */
export function makeDemoBundle(dir: string, member: DemoMember, options: DemoBundleOptions): void {
  makeBusyboxRootfs(join(dir, 'rootfs'));
  execFileSync(options.runc, ['spec'], { cwd: dir });
  const path = join(dir, 'config.json');
  const spec = JSON.parse(readFileSync(path, 'utf8')) as {
    process: { terminal: boolean; args: string[] };
    root: { readonly: boolean };
    hostname: string;
    annotations?: Record<string, string>;
    linux: { namespaces: { type: string; path?: string }[]; cgroupsPath?: string };
  };
  spec.process.terminal = false;
  spec.process.args = ['sh', '-c', member.script];
  spec.root.readonly = false;
  spec.hostname = member.name;
  spec.annotations = {
    [ANNOTATION.group]: options.group,
    [ANNOTATION.member]: member.name,
    [ANNOTATION.members]: options.members.join(','),
  };
  spec.linux.cgroupsPath = options.cgroupsPath;
  if (member.sharedNetns) {
    for (const namespace of spec.linux.namespaces) {
      if (namespace.type === 'network') namespace.path = options.netnsPath;
    }
  }
  writeFileSync(path, JSON.stringify(spec, null, 2));
}
