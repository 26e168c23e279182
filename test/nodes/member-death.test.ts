import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { checkSequence, isUnbroken } from '../../src/demo/sequence.js';
import type { RoundRecord } from '../../src/coordinator/types.js';
import type { GroupView } from '../../src/gen/cohort/v1/groups.js';
import { realCriuTier } from '../criu/support/criu-tier.js';
import { netnsMissing } from '../helpers/netns.js';
import { podmanMissing } from '../helpers/podman.js';
import { checkpointedFile } from './support/archive.js';
import type { Cluster, ClusterNode } from './support/cluster.js';
import { metricValue } from './support/metrics.js';
import {
  eventually,
  untilListening,
  untilRecovered,
  untilRunning,
  untilStored,
} from './support/steps.js';
import { memberScript, pidOf, readMemberFile, runMember, STREAM_PORT } from './support/workload.js';
import { startTwoNodes } from './support/two-nodes.js';

const tier = await realCriuTier('the multi-node tier', podmanMissing() ?? netnsMissing());
/** Written into each member after its checkpoint: a restore from that checkpoint has none. */
const AFTER = '/data/after-checkpoint';

describe.skipIf(tier.skip !== undefined)('a group across two nodes when a member dies', () => {
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

  it('without a stored checkpoint yet, says so and leaves the members as they are', async () => {
    const group = 'fresh';
    const store = join(cluster.dir, 'store-fresh');
    await runMember(n1, group, 'x', ['x', 'y'], memberScript('counter'));
    await runMember(n2, group, 'y', ['x', 'y'], memberScript('counter'));
    await untilRunning(cluster, group, 2);
    const policy = ['--store', `dir:${store}`, '--on-failure', 'restore'];
    expect((await cluster.ctl(['group', 'set', group, ...policy])).code).toBe(0);
    const y = await pidOf(n2, 'fresh-y');
    const killedAt = Date.now();
    process.kill((await pidOf(n1, 'fresh-x')) ?? -1, 'SIGKILL');

    const recovery = await untilRecovered(cluster, group, killedAt - 1_000);
    expect(recovery.outcome).toBe('blocked');
    expect(recovery.cause).toBe('member x died on node n1 (killed by signal 9 (exit 137))');
    expect(recovery.reason).toMatch(
      /but the group has no stored checkpoint to restore from; its members are left as they are$/,
    );
    // Left as they are: x stays exited (not removed), y runs on as the same process.
    const x = await n1.podman.podman([
      'inspect',
      '--format',
      '{{.State.Status}} {{.State.ExitCode}}',
      'fresh-x',
    ]);
    expect(x.stdout.trim()).toBe('exited 137');
    expect(await pidOf(n2, 'fresh-y')).toBe(y);
    const shown = await cluster.ctl(['group', 'show', group]);
    expect(shown.stdout).toContain('latest stored: none');
    expect(shown.stdout).toMatch(/blocked .*member x died on node n1/);
    expect(
      await metricValue(cluster.metrics, 'cohort_group_recoveries_total', {
        group,
        outcome: 'blocked',
      }),
    ).toBe(1);
  });

  it('restores the group from its latest stored checkpoint: counters and the stream go on from it', async () => {
    const group = 'stream';
    const store = join(cluster.dir, 'store-stream');
    const members = ['receiver', 'sender'];
    await runMember(n2, group, 'receiver', members, memberScript('receiver'));
    await untilListening(cluster, n2, STREAM_PORT);
    await runMember(n1, group, 'sender', members, memberScript('sender', n2.net.address));
    await untilRunning(cluster, group, 2);
    const policy = ['--interval', '3s', '--store', `dir:${store}`, '--keep', '2'];
    const set = await cluster.ctl([
      'group',
      'set',
      group,
      ...policy,
      '--on-failure',
      'restore',
      '--tcp-established',
    ]);
    expect(set.code).toBe(0);
    const [latest] = await untilStored(cluster, group, (stored) => stored.length > 0);
    const epoch = latest?.epoch ?? 0;
    for (const [node, name] of [
      [n2, 'stream-receiver'],
      [n1, 'stream-sender'],
    ] as const)
      writeFileSync(`/proc/${(await pidOf(node, name)) ?? -1}/root${AFTER}`, 'after\n');
    // Killed as the next scheduled round begins, while the agents are at work on the members.
    await cluster.cohortd.waitFor(
      'round-opened',
      (l) => l.group === group && Number(l.epoch) > epoch,
    );
    const killedAt = Date.now();
    process.kill((await pidOf(n2, 'stream-receiver')) ?? -1, 'SIGKILL');

    const recovery = await untilRecovered(cluster, group, killedAt - 1_000);
    expect(recovery).toMatchObject({
      outcome: 'restored',
      cause: 'member receiver died on node n2 (killed by signal 9 (exit 137))',
      placements: { receiver: 'n2', sender: 'n1' },
    });
    // The round under way when it died was aborted; the group came back from the one before.
    expect(recovery.epoch).toBe(epoch);
    const rounds = await cluster.ctlJson<RoundRecord[]>(['history', group]);
    const cut = rounds.find((r) => r.epoch === epoch + 1);
    expect(cut).toMatchObject({ kind: 'checkpoint', outcome: 'aborted' });
    // The dead member, or its peer whose connection the death broke.
    expect(['receiver', 'sender']).toContain(cut?.culprit);
    const view = await cluster.ctlJson<GroupView>(['group', 'show', group]);
    expect(view.members.map((m) => [m.member, view.nodes[m.member], m.state])).toEqual([
      ['receiver', 'n2', 'running'],
      ['sender', 'n1', 'running'],
    ]);

    const files = [
      [n2, 'receiver', ['count', 'received']],
      [n1, 'sender', ['count', 'sent']],
    ] as const;
    for (const [node, member, logs] of files) {
      const name = `${group}-${member}`;
      // Each member's tmpfs came back from the checkpoint: what was written after it is gone.
      const marked = await checkpointedFile(store, recovery.epoch, member, 'after-checkpoint');
      expect(existsSync(`/proc/${(await pidOf(node, name)) ?? -1}/root${AFTER}`)).toBe(
        marked !== undefined,
      );
      for (const log of logs) {
        const at = (await checkpointedFile(store, recovery.epoch, member, log)) ?? '';
        const atLast = checkSequence(at).last ?? 0;
        expect(atLast, `${member} ${log} in the checkpoint`).toBeGreaterThan(0);
        // Continued from the checkpoint: its lines first, then more, none lost or repeated.
        const now = await eventually(async () => {
          const text = await readMemberFile(node, name, `/data/${log}`);
          return (checkSequence(text).last ?? 0) > atLast + 5 ? text : undefined;
        }, `${member}'s ${log} goes on past ${atLast}`);
        expect(now.startsWith(at), `${member} ${log} starts with the checkpoint's`).toBe(true);
        const report = checkSequence(now);
        expect(report, `${member} ${log}`).toMatchObject({ gaps: [], repeats: [], first: 1 });
        expect(isUnbroken(report)).toBe(true);
      }
    }
    // The stream: what the receiver has is what the sender sent, in order, up to what is in flight.
    const received = checkSequence(await readMemberFile(n2, 'stream-receiver', '/data/received'));
    const sent = checkSequence(await readMemberFile(n1, 'stream-sender', '/data/sent'));
    expect(received.last ?? 0).toBeLessThanOrEqual(sent.last ?? 0);
    expect(
      await metricValue(cluster.metrics, 'cohort_group_recoveries_total', {
        group,
        outcome: 'restored',
      }),
    ).toBe(1);
  });
});
