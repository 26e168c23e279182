import { dirname, join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { checkSequence } from '../../src/demo/sequence.js';
import type { GroupView, NodeView } from '../../src/gen/cohort/v1/groups.js';
import { realCriuTier } from '../criu/support/criu-tier.js';
import { netnsMissing } from '../helpers/netns.js';
import { podmanMissing } from '../helpers/podman.js';
import { checkpointedFile } from './support/archive.js';
import type { Cluster, ClusterNode } from './support/cluster.js';
import { metricValue } from './support/metrics.js';
import {
  eventually,
  untilConnected,
  untilRecovered,
  untilRunning,
  untilStored,
} from './support/steps.js';
import { memberScript, pidOf, readMemberFile, runMember } from './support/workload.js';
import { startTwoNodes } from './support/two-nodes.js';

const tier = await realCriuTier('the multi-node tier', podmanMissing() ?? netnsMissing());
const LOSS_MS = 3_000;

describe.skipIf(tier.skip !== undefined)('a group across two nodes when a node is lost', () => {
  let cluster: Cluster;
  let n1: ClusterNode;
  let n2: ClusterNode;
  const group = 'moved';
  let store: string;
  let lostAt = 0;
  beforeAll(async () => {
    ({ cluster, n1, n2 } = await startTwoNodes({
      criuDir: dirname(tier.skip === undefined ? tier.criu : ''),
      agentLoss: `${LOSS_MS}ms`,
    }));
    store = join(cluster.dir, 'store-moved');
  });
  afterAll(async () => cluster?.stop());
  beforeEach(({ onTestFailed }) => onTestFailed(() => console.log(cluster.keepLogs())));

  it('its agent killed: after the loss deadline, restores the lost node’s member on a live node from the store', async () => {
    await runMember(n1, group, 'a', ['a', 'b'], memberScript('counter'));
    await runMember(n2, group, 'b', ['a', 'b'], memberScript('counter'));
    await untilRunning(cluster, group, 2);
    const policy = ['--interval', '3s', '--store', `dir:${store}`, '--on-failure', 'restore'];
    expect((await cluster.ctl(['group', 'set', group, ...policy])).code).toBe(0);
    const [latest] = await untilStored(cluster, group, (stored) => stored.length > 0);
    const stale = await pidOf(n1, 'moved-a');
    // Killed as the next round opens: n2's member joins after that round is already aborted.
    const epoch = latest?.epoch ?? 0;
    await cluster.cohortd.waitFor(
      'round-opened',
      (l) => l.group === group && Number(l.epoch) > epoch,
    );
    lostAt = Date.now();
    await n1.agent?.kill('SIGKILL');

    // Until the deadline the group waits for its member: no partial round is even started.
    const early = await eventually(async () => {
      const result = await cluster.ctl(['checkpoint', group]);
      return result.stderr.includes('is busy') ? undefined : result;
    }, 'a checkpoint asked for before the deadline gets its answer');
    expect(early.code).not.toBe(0);
    expect(early.stderr).toContain(
      'group moved is checkpointed whole, but the agent of member a (node n1) is not connected',
    );
    const recovery = await untilRecovered(cluster, group, lostAt);
    expect(recovery).toMatchObject({
      outcome: 'restored',
      cause: 'node n1 lost (agent silent for 3 s)',
      placements: { a: 'n2', b: 'n2' },
    });
    // Not before the deadline: a restarting agent gets its chance first.
    expect(recovery.startedAt - lostAt).toBeGreaterThanOrEqual(LOSS_MS);
    const nodes = await cluster.ctlJson<NodeView[]>(['nodes']);
    expect(nodes.map((n) => [n.name, n.connected])).toEqual([
      ['n1', false],
      ['n2', true],
    ]);
    for (const member of ['a', 'b']) {
      const at = (await checkpointedFile(store, recovery.epoch, member, 'count')) ?? '';
      const atLast = checkSequence(at).last ?? 0;
      const now = await eventually(async () => {
        const text = await readMemberFile(n2, `moved-${member}`, '/data/count');
        return (checkSequence(text).last ?? 0) > atLast ? text : undefined;
      }, `${member} counts on n2 past ${atLast}`);
      expect(now.startsWith(at), `${member} goes on from the checkpoint`).toBe(true);
      expect(checkSequence(now)).toMatchObject({ first: 1, gaps: [], repeats: [] });
    }
    // cohortd cannot reach a lost node: its copy of a runs on, unknown to the group until it returns.
    expect(await pidOf(n1, 'moved-a')).toBe(stale);
  });

  it('the other node cut off too: no live node can take a member; records why and leaves the members as they are', async () => {
    const running = await pidOf(n2, 'moved-a');
    const since = Date.now();
    // n2 is cut off the network: its agent lives on, but cohortd hears nothing from it.
    await cluster.network.cut('n2');
    const recovery = await untilRecovered(cluster, group, since);
    expect(recovery.outcome).toBe('blocked');
    expect(recovery.cause).toBe('node n2 lost (agent silent for 3 s)');
    expect(recovery.reason).toMatch(
      /but no live node can run member a \(podman\); start an agent on a node that can, or restore by hand$/,
    );
    expect(await pidOf(n2, 'moved-a')).toBe(running);
    expect(
      await metricValue(cluster.metrics, 'cohort_group_recoveries_total', {
        group,
        outcome: 'blocked',
      }),
    ).toBe(1);
    const shown = await cluster.ctl(['group', 'show', group]);
    expect(shown.stdout).toMatch(/blocked .*node n2 lost .*no live node can run member a/);
  });

  it('once the lost nodes are back, two nodes claim member a: checkpoints are refused until one goes', async () => {
    // n2's link comes back and its agent reconnects by itself; n1's agent is started again.
    await cluster.network.restore('n2');
    await n1.startAgent();
    await untilConnected(cluster, ['n1', 'n2']);
    await eventually(async () => {
      const view = await cluster.ctlJson<GroupView>(['group', 'show', group]);
      return view.members.filter((m) => m.member === 'a').length === 2 ? true : undefined;
    }, 'both nodes report a');
    // The schedule runs into the same refusal: ask until the group is not busy with it.
    const refused = await eventually(async () => {
      const result = await cluster.ctl(['checkpoint', group]);
      return result.stderr.includes('is busy') ? undefined : result;
    }, 'an operator checkpoint gets its answer');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(
      /member a of group moved is reported by nodes (n1 and n2|n2 and n1); give each container its own member name, or remove one/,
    );
    // The copy the lost node kept is the stale one: once it is gone, the group checkpoints again.
    await n1.podman.podman(['rm', '--force', '--time', '0', 'moved-a']);
    await eventually(async () => {
      const view = await cluster.ctlJson<GroupView>(['group', 'show', group]);
      return view.members.filter((m) => m.member === 'a').length === 1 ? true : undefined;
    }, 'only n2 reports a');
    const after = Date.now();
    const stored = await untilStored(cluster, group, (list) =>
      list.some((c) => Date.parse(c.createdAt) > after),
    );
    expect(stored[0]?.members.map((m) => m.member)).toEqual(['a', 'b']);
  });
});
