import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { GroupView, NodeView } from '../../src/gen/cohort/v1/groups.js';
import type { RoundRecord } from '../../src/coordinator/types.js';
import type { StoredCheckpoint } from '../../src/gen/cohort/v1/records.js';
import { realCriuTier } from '../criu/support/criu-tier.js';
import { netnsMissing } from '../helpers/netns.js';
import { podmanMissing } from '../helpers/podman.js';
import { runOk } from '../helpers/run.js';
import type { Cluster, ClusterNode } from './support/cluster.js';
import { metricValue } from './support/metrics.js';
import { eventually, untilRunning, untilStored } from './support/steps.js';
import { memberScript, runMember } from './support/workload.js';
import { startTwoNodes } from './support/two-nodes.js';

const tier = await realCriuTier('the multi-node tier', podmanMissing() ?? netnsMissing());

describe.skipIf(tier.skip !== undefined)('a group across two nodes, faults and bad input', () => {
  let cluster: Cluster;
  let n1: ClusterNode;
  let n2: ClusterNode;
  beforeAll(async () => {
    ({ cluster, n1, n2 } = await startTwoNodes({
      criuDir: dirname(tier.skip === undefined ? tier.criu : ''),
    }));
  });
  afterAll(async () => cluster?.stop());
  beforeEach(({ onTestFailed }) => onTestFailed(() => console.log(cluster.keepLogs())));

  async function startGroup(group: string, before = ''): Promise<void> {
    await runMember(n1, group, 'p', ['p', 'q'], before + memberScript('counter'));
    await runMember(n2, group, 'q', ['p', 'q'], before + memberScript('counter'));
    await untilRunning(cluster, group, 2);
  }

  it('an interval shorter than a round: ticks are skipped and counted, rounds never overlap', async () => {
    const group = 'busy';
    // 96 MB of random bytes on each member's tmpfs: CRIU dumps them, the store gzips them.
    await startGroup(group, 'head -c 96000000 /dev/urandom > /data/ballast; ');
    const policy = ['--interval', '1s', '--store', `dir:${join(cluster.dir, 'store-busy')}`];
    expect((await cluster.ctl(['group', 'set', group, ...policy])).code).toBe(0);
    await untilStored(cluster, group, (stored) => stored.length >= 3);
    await cluster.ctl(['group', 'set', group, '--interval', '0']);
    const rounds = await cluster.ctlJson<RoundRecord[]>(['history', group]);
    const taking = rounds.map((r) => (r.closedAt ?? Date.now()) - r.openedAt);
    // The premise: a round takes longer than the interval here.
    expect(Math.max(...taking)).toBeGreaterThan(1_000);
    for (const [i, round] of rounds.entries()) {
      const next = rounds[i + 1];
      if (next === undefined || round.closedAt === undefined) continue;
      expect(
        next.openedAt,
        `round ${next.epoch} opens after ${round.epoch} closed`,
      ).toBeGreaterThanOrEqual(round.closedAt);
    }
    const view = await cluster.ctlJson<GroupView>(['group', 'show', group]);
    expect(view.schedule?.skipped).toBeGreaterThan(0);
    expect(view.schedule?.consecutiveFailures).toBe(0);
    expect(
      await metricValue(cluster.metrics, 'cohort_group_skipped_rounds', { group }),
    ).toBeGreaterThan(0);
  });

  it('a store that fails: retried, the failure shown, the previous checkpoint kept', async () => {
    const group = 'flaky';
    const store = join(cluster.dir, 'store-flaky');
    mkdirSync(store);
    await runOk('mount', ['-t', 'tmpfs', '-o', 'size=64m', 'tmpfs', store]);
    try {
      await startGroup(group);
      const policy = ['--interval', '2s', '--store', `dir:${store}`, '--keep', '3'];
      expect((await cluster.ctl(['group', 'set', group, ...policy])).code).toBe(0);
      const [kept] = await untilStored(cluster, group, (stored) => stored.length > 0);
      const files = snapshot(join(store, `epoch-${kept?.epoch ?? 0}`));
      await runOk('mount', ['-o', 'remount,ro', store]);

      const failing = await eventually(async () => {
        const view = await cluster.ctlJson<GroupView>(['group', 'show', group]);
        return (view.schedule?.consecutiveFailures ?? 0) >= 2 ? view : undefined;
      }, 'two failed rounds in a row');
      // The store's own words (Node reports EROFS from a recursive mkdir as ENOENT).
      expect(failing.schedule?.lastFailure).toMatch(
        /^committed but not stored: store dir:\S+store-flaky: writing \S+ failed: /,
      );
      expect(failing.latestStored?.epoch).toBe(kept?.epoch);
      const shown = await cluster.ctl(['group', 'show', group]);
      expect(shown.stdout).toMatch(
        /[2-9]\d* consecutive failure\(s\).*last failure: committed but not stored/,
      );
      expect(
        await metricValue(cluster.metrics, 'cohort_group_consecutive_failures', { group }),
      ).toBeGreaterThanOrEqual(2);
      // The previous checkpoint is still the latest, listed and byte for byte as it was stored.
      const listed = await cluster.ctlJson<StoredCheckpoint[]>(['checkpoints', group]);
      expect(listed.map((c) => c.epoch)).toEqual([kept?.epoch]);
      expect(snapshot(join(store, `epoch-${kept?.epoch ?? 0}`))).toEqual(files);
      // An operator's checkpoint to the policy's store fails the same way, with exit 11.
      await cluster.ctl(['group', 'set', group, '--interval', '0']);
      const asked = await cluster.ctl(['checkpoint', group, '--leave-running']);
      expect(asked.code, asked.stderr).toBe(11);
      expect(asked.stderr).toMatch(
        /permanent at epoch \d+ \(culprit [pq]\): committed but not stored/,
      );
      await cluster.ctl(['group', 'set', group, '--interval', '2s']);

      await runOk('mount', ['-o', 'remount,rw', store]);
      const after = await untilStored(cluster, group, (stored) =>
        stored.some((c) => c.epoch > (kept?.epoch ?? 0)),
      );
      expect(after[0]?.members.map((m) => m.member)).toEqual(['p', 'q']);
      const healed = await cluster.ctlJson<GroupView>(['group', 'show', group]);
      expect(healed.schedule?.consecutiveFailures).toBe(0);
    } finally {
      await cluster.ctl(['group', 'set', group, '--interval', '0']);
      await runOk('umount', ['-l', store]);
    }
  });

  it("an agent presenting another node's certificate is refused; the real node keeps its place", async () => {
    const impostor = await n1.startAgent({ as: 'n2', log: 'impostor.log' });
    try {
      const refused = await cluster.cohortd.waitFor('agent-refused', (l) => l.node === undefined);
      expect(refused.code).toBe('COHORT_ERR_PERMISSION');
      expect(refused.message).toBe(
        'an agent for node n2 needs a certificate with CN node:n2; this one is CN=node:n1',
      );
      await impostor.waitFor('agent-link-lost', (l) =>
        String(l.why).includes('needs a certificate with CN node:n2'),
      );
      const nodes = await cluster.ctlJson<NodeView[]>(['nodes']);
      expect(nodes.map((n) => [n.name, n.connected])).toEqual([
        ['n1', true],
        ['n2', true],
      ]);
      expect(
        cluster.cohortd.lines().filter((l) => l.msg === 'agent-connected' && l.node === 'n2'),
      ).toHaveLength(1);
    } finally {
      await impostor.kill('SIGKILL');
    }
  });
});

/** Every file of a directory with its sha256: what a later look must find unchanged. */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir).map((name) => [
      name,
      createHash('sha256')
        .update(readFileSync(join(dir, name)))
        .digest('hex'),
    ]),
  );
}
