import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent } from '../../src/agent/agent.js';
import { silentLogger } from '../../src/coordinator/server/logger.js';
import { startTestCoordinator, type TestCoordinator } from '../cli/support/coordinator.js';
import { cohortctl } from '../cli/support/run-cli.js';
import { realCriuTier } from '../criu/support/criu-tier.js';
import {
  counterLog,
  memberStatus,
  startRealGroup,
  waitForCount,
} from '../criu/support/runc-group.js';
import { registryMissing, startRegistry, type TestRegistry } from '../helpers/registry.js';
import { COHORT_BIN, RUNC } from '../helpers/runc.js';
import { waitForMembers } from './support/fleet.js';
import type { ListedCheckpoint } from './support/stored-group.js';

const tier = await realCriuTier('a bare runc group stored through cohortd', registryMissing());

describe.skipIf(tier.skip !== undefined)('a group of bare runc containers in a registry', () => {
  let registry: TestRegistry;
  let coordinator: TestCoordinator;
  let work: string;
  beforeAll(async () => {
    registry = await startRegistry();
    coordinator = await startTestCoordinator();
    work = mkdtempSync(join(tmpdir(), 'cohort-runc-agent-'));
  });
  afterAll(async () => {
    await coordinator?.stop();
    await registry?.stop();
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  });

  const ctl = (argv: string[]) => cohortctl(['--config', coordinator.configPath, ...argv]);

  it('checkpoint --store stores each member from its images and bundle; restore brings the group back from the archives and bundles', async () => {
    const fixture = await startRealGroup({
      socket: coordinator.address.replace(/^unix:\/\//, ''),
      criu: tier.skip === undefined ? tier.criu : '',
      size: 2,
    });
    // The node's agent watches the runc root the members live in; no podman on this node.
    const agent = startAgent({
      node: 'node-r',
      coordinator: { address: coordinator.address, connectTimeoutMs: 5_000 },
      runcRoots: [fixture.sandbox.root],
      runc: RUNC,
      cohort: COHORT_BIN,
      env: fixture.sandbox.env,
      // The fixture serves the sandbox's sessions already; this agent serves none.
      sessionStateDirs: [],
      workDir: join(work, 'agent'),
      store: { tlsVerify: false },
      podmanRuntimeName: 'cohort',
      pollMs: 250,
      logger: silentLogger,
    });
    try {
      const { group, members } = fixture;
      await waitForMembers(ctl, group, ['m0', 'm1']);
      const location = `oci://${registry.host}/cohort/${group}`;
      const checkpoint = await ctl(['checkpoint', group, '--store', location]);
      expect(checkpoint.stderr).toBe('');
      expect(checkpoint.code).toBe(0);
      const [stored] = JSON.parse(
        (await ctl(['checkpoints', group, '--json'])).stdout,
      ) as ListedCheckpoint[];
      expect(stored?.members.map((m) => [m.member, m.engine, m.bundle])).toEqual(
        members.map((m) => [m.name, 'runc', m.bundle]),
      );
      // runc deleted them after the dump: only the store holds them now.
      for (const member of members)
        expect((await memberStatus(fixture, member)).status).toBe('gone');
      const before = members.map((m) => counterLog(m).last ?? 0);

      const restore = await ctl(['restore', group, '--from', location]);
      expect(restore.stderr).toBe('');
      expect(restore.code).toBe(0);
      for (const [i, member] of members.entries()) {
        expect(await memberStatus(fixture, member)).toEqual({
          status: 'running',
          freezer: 'THAWED',
        });
        await waitForCount(member, (before[i] ?? 0) + 5);
        // One process counted on: every number once, in order, across the checkpoint.
        expect(counterLog(member)).toMatchObject({ first: 1, gaps: [], repeats: [] });
      }
    } finally {
      agent.stop();
      await fixture.cleanup();
    }
  });
});
