import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { REPO_ROOT, run, type RunResult } from '../../helpers/runc.js';

/**
 * A node as the shipped files expect it, in a mount namespace of its own: this checkout installed
 * as docs/engines.md says (/opt/cohort, links in /usr/local/bin), empty /run and
 * /var/lib/containers, and /etc, /opt, /usr/local/bin and /var writable without touching the
 * machine's. The PID, network, UTS, IPC and cgroup namespaces are the machine's: like a node seen
 * from a pod with hostPID and hostNetwork.
 */
export interface NodeNamespace {
  /** The pid of a process in the node's mount namespace (PID 1, seen from a real node). */
  pid: number;
  /** Runs a command in the node's mount namespace. */
  exec(command: string, args: readonly string[], env?: Record<string, string>): Promise<RunResult>;
  /** Starts a long-lived command in the node's mount namespace. */
  spawn(command: string, args: readonly string[], env: Record<string, string>): ResultPromise;
  /** Copies a file of this machine into the node, making its directory. */
  install(source: string, target: string, mode?: string): Promise<void>;
  stop(): Promise<void>;
}

// Overlays are mounted on tmpfs under a stage dir that only the namespace sees mounted.
const SETUP = `
set -eu
stage=$1 repo=$2
mount -t tmpfs tmpfs "$stage"
for dir in /etc /opt /usr/local/bin /var; do
  layer="$stage/$(echo "$dir" | tr / _)"
  mkdir -p "$layer/upper" "$layer/work"
  mount -t overlay overlay -o "lowerdir=$dir,upperdir=$layer/upper,workdir=$layer/work" "$dir"
done
mount -t tmpfs tmpfs /run
mkdir -p /var/lib/containers && mount -t tmpfs tmpfs /var/lib/containers
mkdir -p /opt/cohort && mount --bind "$repo" /opt/cohort
for name in cohort cohortd cohortctl; do ln -sf "/opt/cohort/bin/$name" "/usr/local/bin/$name"; done
echo ready
exec sleep infinity
`;

/** systemd's PATH for services, and the node image's: what the agent runs with. */
export const SERVICE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export async function startNodeNamespace(): Promise<NodeNamespace> {
  const stage = mkdtempSync(join(tmpdir(), 'cohort-node-'));
  const holder = execa(
    'unshare',
    ['--mount', '--propagation', 'private', '--', 'sh', '-c', SETUP, 'sh', stage, REPO_ROOT],
    { reject: false, stdin: 'ignore' },
  );
  await new Promise<void>((resolve, reject) => {
    let out = '';
    holder.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('ready\n')) resolve();
    });
    void holder.then((result) => reject(new Error(`the node namespace ended: ${result.stderr}`)));
  });
  const pid = holder.pid ?? 0;
  const enter = ['--target', String(pid), '--mount', '--'];
  const node: NodeNamespace = {
    pid,
    exec: (command, args, env) =>
      run('nsenter', [...enter, command, ...args], env === undefined ? {} : { env }),
    spawn: (command, args, env) =>
      execa('nsenter', [...enter, command, ...args], {
        env,
        extendEnv: false,
        reject: false,
        stdin: 'ignore',
      }),
    async install(source, target, mode = '0600') {
      const result = await node.exec('install', ['-D', '-m', mode, source, target]);
      if (result.exitCode !== 0) throw new Error(`install ${target}: ${result.stderr}`);
    },
    async stop() {
      holder.kill('SIGKILL');
      await holder;
      rmSync(stage, { recursive: true, force: true });
    },
  };
  return node;
}
