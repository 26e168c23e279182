import { readFileSync } from 'node:fs';
import { podmanAnnotation } from '../../cli/support/cohort-podman.js';
import type { ClusterNode } from './cluster.js';

/** The port the receiver listens on in its node's namespace. */
export const STREAM_PORT = 7000;

/** Every member counts, one number a line, ten a second, into a tmpfs CRIU dumps with it. */
const COUNTER = '(i=0; while :; do i=$((i+1)); echo $i >> /data/count; sleep 0.1; done) &';

/** A member's program: its counter, then its part of the stream (if any). */
export function memberScript(role: 'counter' | 'receiver' | 'sender', peer?: string): string {
  if (role === 'counter') return `${COUNTER} wait`;
  if (role === 'receiver')
    // nc ends at EOF on its stdin: a sleep that never ends keeps the connection open.
    return `${COUNTER} sleep 2147483647 | nc -l -p ${STREAM_PORT} > /data/received`;
  return `${COUNTER} i=0; while :; do i=$((i+1)); echo $i; echo $i >> /data/sent; sleep 0.1; done | nc ${peer ?? ''} ${STREAM_PORT}`;
}

/**
 * Runs a member of `group` on `node` through cohort (podman --runtime cohort), in the node's
 * network namespace, with its logs on a tmpfs: a tmpfs is dumped by CRIU in the frozen window,
 * so a restored member's logs are exactly as its memory left them.
 */
export async function runMember(
  node: ClusterNode,
  group: string,
  member: string,
  members: readonly string[],
  script: string,
): Promise<string> {
  const name = `${group}-${member}`;
  const annotations = [
    `io.cohort.group=${group}`,
    `io.cohort.member=${member}`,
    `io.cohort.group.members=${members.join(':')}`,
  ];
  const result = await node.podman.podman([
    ...['--runtime', 'cohort', 'run', '-d', '--name', name, '--tmpfs', '/data'],
    ...annotations.flatMap((a) => ['--annotation', podmanAnnotation(a)]),
    node.podman.image,
    'sh',
    '-c',
    script,
  ]);
  if (result.exitCode !== 0)
    throw new Error(`podman run ${name} on ${node.name}: ${result.stderr}`);
  return name;
}

/** The container's main pid, or undefined when it does not run. */
export async function pidOf(node: ClusterNode, name: string): Promise<number | undefined> {
  const result = await node.podman.podman(['inspect', '--format', '{{.State.Pid}}', name]);
  const pid = Number(result.stdout.trim());
  return result.exitCode === 0 && pid > 0 ? pid : undefined;
}

/** A file in a running member, read through its root as the kernel sees it (tmpfs included). */
export async function readMemberFile(
  node: ClusterNode,
  name: string,
  path: string,
): Promise<string> {
  const pid = await pidOf(node, name);
  if (pid === undefined) throw new Error(`${name} on ${node.name} does not run`);
  return readFileSync(`/proc/${pid}/root${path}`, 'utf8');
}
