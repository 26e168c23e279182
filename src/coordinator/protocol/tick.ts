import { releaseResumed } from './barriers.js';
import type { Ctx } from './context.js';
import { dropMember } from './faults.js';
import { abortRound, closeRound } from './outcome.js';
import { listNames } from './member-set.js';
import type { Round } from './state.js';

/** Fires whatever is due at `now`: stage deadlines and missed heartbeats. */
export function handleTick(ctx: Ctx): void {
  for (const round of [...ctx.state.open.values()]) {
    if (ctx.now >= round.heartbeatCheckAt) checkHeartbeats(ctx, round);
    if (ctx.state.open.get(round.group) !== round) continue;
    if (ctx.now >= round.deadlineAt) fireDeadline(ctx, round);
  }
}

/** The earliest time a tick could change anything. */
export function nextWakeup(rounds: Iterable<Round>): number | undefined {
  let next = Infinity;
  for (const round of rounds) next = Math.min(next, round.deadlineAt, round.heartbeatCheckAt);
  return next === Infinity ? undefined : next;
}

function checkHeartbeats(ctx: Ctx, round: Round): void {
  let next = Infinity;
  for (const member of [...round.members.values()]) {
    if (member.conn === undefined || member.stage === 'completed' || member.stage === 'failed')
      continue;
    const due = member.lastSeen + member.heartbeatTimeoutMs;
    if (ctx.now >= due) {
      dropMember(
        ctx,
        round,
        member,
        'heartbeat',
        `no heartbeat for ${ctx.now - member.lastSeen} ms`,
      );
      if (ctx.state.open.get(round.group) !== round) return;
    } else {
      next = Math.min(next, due);
    }
  }
  round.heartbeatCheckAt = next;
}

function fireDeadline(ctx: Ctx, round: Round): void {
  const d = round.deadlines;
  switch (round.phase) {
    case 'gathering': {
      if (round.members.size < round.expected) {
        const missing = missingNames(round, (name) => !round.members.has(name));
        const who =
          missing.length > 0
            ? listNames(missing)
            : `${round.expected - round.members.size} member(s)`;
        abortRound(
          ctx,
          round,
          'deadline',
          `join deadline (${d.joinMs} ms) passed: ${who} did not join`,
          missing[0],
        );
        return;
      }
      const missing = missingNames(round, (name) => round.members.get(name)?.stage === 'joined');
      abortRound(
        ctx,
        round,
        'deadline',
        `ready deadline (${d.readyMs} ms) passed: ${listNames(missing)} not ready`,
        missing[0],
      );
      return;
    }
    case 'freezing': {
      const missing = missingNames(round, (name) => round.members.get(name)?.stage === 'ready');
      abortRound(
        ctx,
        round,
        'deadline',
        `freeze deadline (${d.freezeMs} ms) passed: ${listNames(missing)} not frozen`,
        missing[0],
      );
      return;
    }
    case 'voting': {
      const missing = missingNames(round, (name) => round.members.get(name)?.stage !== 'voted');
      const [label, ms] =
        round.kind === 'checkpoint' ? ['dump', d.dumpMs] : ['restore', d.restoreMs];
      abortRound(
        ctx,
        round,
        'deadline',
        `${label} deadline (${ms} ms) passed: ${listNames(missing)} did not vote`,
        missing[0],
      );
      return;
    }
    case 'resuming':
      releaseResumed(ctx, round, true);
      return;
    case 'completing': {
      const missing = missingNames(round, (name) => {
        const stage = round.members.get(name)?.stage;
        return stage !== 'completed' && stage !== 'failed';
      });
      closeRound(ctx, round, missing[0]);
      return;
    }
  }
}

function missingNames(round: Round, isMissing: (name: string) => boolean): string[] {
  const names = round.names ?? [...round.members.keys()];
  return names.filter(isMissing);
}
