import { readFileSync, writeFileSync } from 'node:fs';
import { startGroup, type GroupFixture } from '../../session/group-harness.js';
import type { ReplicaSet } from './replica-set.js';

/**
 * Real containers run through bin/cohort whose sessions talk to every replica (a list in the
 * cohort config, with the admin pair for mutual TLS); checkpointed with the fake runc that
 * plays CRIU's part (test/session/fakes), so the freezer and the hook are real.
 */
export async function startReplicaGroup(
  replicas: ReplicaSet,
  size: number,
  reconnectWindowMs = 15_000,
): Promise<GroupFixture> {
  // The harness's own socket is never used: every config is pointed at the replicas below.
  const fixture = await startGroup({
    size,
    socket: '/nonexistent/cohortd.sock',
    reconnectWindowMs,
  });
  const { certs } = replicas.cluster;
  for (const path of [fixture.sandbox.configPath, fixture.fakeCriuConfig]) {
    const config = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    config.coordinator = {
      address: replicas.addresses,
      ...(replicas.insecure ? { insecure: true } : { tls: { ca: certs.ca, ...certs.admin } }),
      connectTimeoutMs: 3_000,
      reconnectWindowMs,
    };
    writeFileSync(path, JSON.stringify(config, null, 2) + '\n');
  }
  return fixture;
}
