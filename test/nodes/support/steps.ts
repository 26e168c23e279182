import type { GroupView, NodeView, RecoveryView } from '../../../src/gen/cohort/v1/groups.js';
import type { StoredCheckpoint } from '../../../src/gen/cohort/v1/records.js';
import { eventually } from '../../fleet/support/fleet.js';
import type { Cluster, ClusterNode } from './cluster.js';

export { eventually };

/** Every node's agent is connected (cohortctl nodes says so). */
export async function untilConnected(cluster: Cluster, names: readonly string[]): Promise<void> {
  await eventually(
    async () => {
      const nodes = await cluster.ctlJson<NodeView[]>(['nodes']);
      return names.every((n) => nodes.some((v) => v.name === n && v.connected)) ? true : undefined;
    },
    `agents of ${names.join(', ')} connected`,
  );
}

/** The group's members as cohortd has them, once `count` are reported running. */
export async function untilRunning(cluster: Cluster, group: string, count: number) {
  return eventually(async () => {
    const view = await cluster.ctlJson<GroupView>(['group', 'show', group]);
    const running = view.members.filter((m) => m.state === 'running');
    return running.length >= count ? view : undefined;
  }, `${count} members of ${group} reported running`);
}

/** The group's stored checkpoints (newest first), once `ready` holds for them. */
export async function untilStored(
  cluster: Cluster,
  group: string,
  ready: (stored: StoredCheckpoint[]) => boolean,
  timeoutMs = 30_000,
): Promise<StoredCheckpoint[]> {
  return eventually(
    async () => {
      const stored = await cluster.ctlJson<StoredCheckpoint[]>(['checkpoints', group]);
      return ready(stored) ? stored : undefined;
    },
    `stored checkpoints of ${group}`,
    timeoutMs,
  );
}

/** The group's first recovery that has ended (restored, failed or blocked). */
export async function untilRecovered(
  cluster: Cluster,
  group: string,
  after = 0,
  timeoutMs = 30_000,
): Promise<RecoveryView> {
  return eventually(
    async () => {
      const view = await cluster.ctlJson<GroupView>(['group', 'show', group]);
      return view.recoveries.find((r) => r.startedAt >= after && r.outcome !== 'running');
    },
    `a recovery of ${group}`,
    timeoutMs,
  );
}

/** Something listens on `port` in the node's namespace. */
export async function untilListening(cluster: Cluster, node: ClusterNode, port: number) {
  await eventually(async () => {
    const ss = await cluster.network.exec(node.name, 'ss', ['-ltnH', `sport = :${port}`]);
    return ss.stdout.trim() === '' ? undefined : true;
  }, `a listener on ${node.name}:${port}`);
}
