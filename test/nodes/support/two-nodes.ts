import { startCluster, type Cluster, type ClusterNode, type ClusterOptions } from './cluster.js';
import { untilConnected } from './steps.js';

export interface TwoNodes {
  cluster: Cluster;
  n1: ClusterNode;
  n2: ClusterNode;
}

/** Nodes n1 and n2, each with its agent connected to cohortd. */
export async function startTwoNodes(options: Omit<ClusterOptions, 'nodes'>): Promise<TwoNodes> {
  const cluster = await startCluster({ ...options, nodes: 2 });
  const [n1, n2] = [cluster.node('n1'), cluster.node('n2')];
  await Promise.all([n1.startAgent(), n2.startAgent()]);
  await untilConnected(cluster, ['n1', 'n2']);
  return { cluster, n1, n2 };
}
