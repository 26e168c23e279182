import type { CoordinatorClient } from '../../../src/coordinator/client.js';
import type { RunResult } from '../../helpers/run.js';
import { checkpointMembers, readEvents, type GroupFixture } from '../../session/group-harness.js';
import { untilStage } from './members.js';

export interface AfterVote {
  /** From the leader's death to the voted member's answer (its post-dump hook returned). */
  extraFrozenMs: number;
  results: RunResult[];
}

/**
 * A two-member checkpoint through bin/cohort (real containers, the fake runc playing CRIU) in
 * which m0 has voted and sits frozen waiting for the decision while m1 is still writing its
 * images; then `kill` takes the coordinator away. Times how long m0 stays frozen after that.
 */
export async function killAfterVote(
  fixture: GroupFixture,
  client: CoordinatorClient,
  kill: () => Promise<void>,
): Promise<AfterVote> {
  const before = readEvents(fixture).length;
  const m0 = fixture.members[0];
  if (m0 === undefined) throw new Error('no member m0');
  const checkpoint = checkpointMembers(fixture, fixture.members, {
    leaveRunning: true,
    faults: { m1: { FAKE_CRIU_DELAY: 'post-dump:4000' } },
  });
  await untilStage(client, fixture.group, 'voted', 1);
  const killedAt = Date.now();
  await kill();
  const results = await checkpoint;
  const answered = readEvents(fixture)
    .slice(before)
    .find((e) => e.id === m0.id && e.event === 'post-dump');
  if (answered === undefined) throw new Error("m0's post-dump hook never returned");
  return { extraFrozenMs: answered.at - killedAt, results };
}
