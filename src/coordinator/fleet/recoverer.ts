import { toCohortError } from '../../core/errors.js';
import type { GroupPolicy } from '../rules/policy.js';
import { decideRecovery, type RecoveryDecision, type RecoveryTrigger } from '../rules/recovery.js';
import type { RecoveryRecord } from '../types.js';
import type { FleetEvent } from './agents.js';
import type { FleetContext } from './context.js';
import type { OperationOutcome } from './outcome.js';
import type { RestorePlan } from './restore-group.js';

export interface RecovererOptions {
  policyOf(group: string): Promise<GroupPolicy | undefined>;
  /** Runs `body` holding the group, once a round under way has ended. */
  hold<T>(group: string, body: () => Promise<T>): Promise<T>;
  restore(plan: RestorePlan): Promise<OperationOutcome>;
  onRecorded?(recovery: RecoveryRecord): void;
}

/**
 * Hears members die and nodes go silent, asks the recovery rule (rules/recovery.ts) what to do,
 * and does it: a restore of the whole group from its latest stored checkpoint, recorded with its
 * cause, the checkpoint used and its duration; or a recorded reason why it cannot.
 */
export class Recoverer {
  constructor(
    private readonly fleet: FleetContext,
    private readonly o: RecovererOptions,
  ) {}

  hear(event: FleetEvent): void {
    if (event.type === 'member-died') {
      const trigger: RecoveryTrigger = {
        kind: 'member-died',
        member: event.member.member,
        node: event.node,
        detail: event.detail,
      };
      void this.recover(event.member.group, trigger);
    } else if (event.type === 'node-lost') {
      const groups = new Set(this.fleet.registry.node(event.node)?.members.map((m) => m.group));
      for (const group of groups)
        void this.recover(group, { kind: 'node-lost', node: event.node, silentMs: event.silentMs });
    }
  }

  private async recover(group: string, trigger: RecoveryTrigger): Promise<void> {
    const policy = await this.o.policyOf(group);
    if (policy === undefined || policy.onFailure !== 'restore') return;
    await this.o.hold(group, async () => {
      // Several deaths of one failure queue up here: once the first is recovered, the rest are stale.
      if (this.stale(group, trigger)) return;
      await this.recoverHeld(group, policy, trigger);
    });
  }

  private stale(group: string, trigger: RecoveryTrigger): boolean {
    if (trigger.kind === 'node-lost')
      return this.fleet.registry.node(trigger.node)?.connected === true;
    const now = this.fleet.registry
      .membersOf(group)
      .find((l) => l.member.member === trigger.member);
    return now?.member.state === 'running';
  }

  private async recoverHeld(
    group: string,
    policy: GroupPolicy,
    trigger: RecoveryTrigger,
  ): Promise<void> {
    const startedAt = this.fleet.clock();
    const decision = await this.decide(group, policy, trigger, startedAt);
    const cause = describe(trigger);
    if (decision.kind === 'none') {
      this.fleet.logger.info({ group, reason: decision.reason }, 'recovery-not-needed');
      return;
    }
    if (decision.kind === 'blocked') {
      await this.record({
        group,
        cause,
        startedAt,
        finishedAt: startedAt,
        outcome: 'blocked',
        reason: decision.reason,
        placements: {},
      });
      this.fleet.logger.warn({ group, reason: decision.reason }, 'recovery-blocked');
      return;
    }
    const placements = Object.fromEntries(decision.placements.map((p) => [p.member, p.node]));
    const running: RecoveryRecord = {
      group,
      cause,
      epoch: decision.epoch,
      startedAt,
      outcome: 'running',
      placements,
    };
    await this.record(running);
    let outcome: OperationOutcome | undefined;
    let failure: string | undefined;
    try {
      outcome = await this.o.restore({
        group,
        from: decision.location,
        epoch: decision.epoch,
        options: {
          leaveRunning: false,
          tcpEstablished: policy.tcpEstablished,
          fileLocks: policy.fileLocks,
        },
        placements: decision.placements,
      });
      if (outcome.outcome !== 'permanent') failure = outcome.reason ?? outcome.outcome;
    } catch (error) {
      failure = toCohortError(error).message;
    }
    await this.record({
      ...running,
      finishedAt: this.fleet.clock(),
      outcome: failure === undefined ? 'restored' : 'failed',
      ...(failure === undefined ? {} : { reason: failure }),
    });
  }

  private async decide(
    group: string,
    policy: GroupPolicy,
    trigger: RecoveryTrigger,
    now: number,
  ): Promise<RecoveryDecision> {
    const [stored, recoveries] = await this.fleet.runner.query(
      (m) =>
        [
          m.storedCheckpoints(group).filter((c) => c.location === policy.store),
          m.recoveries(group),
        ] as const,
    );
    const latest = stored[0];
    const lost = trigger.kind === 'node-lost' ? trigger.node : undefined;
    const nodes = this.fleet.registry
      .list()
      .map((n) => ({ name: n.name, alive: n.connected && n.name !== lost, engines: n.engines }));
    const members = this.fleet.registry.membersOf(group).map((l) => ({
      member: l.member.member,
      node: l.node,
      engine: l.member.engine,
      running: l.member.state === 'running' && l.node !== lost,
    }));
    return decideRecovery({
      policy,
      trigger,
      members,
      nodes,
      ...(latest === undefined
        ? {}
        : {
            latestStored: {
              epoch: latest.epoch,
              location: latest.location,
              members: latest.members.map((m) => m.member),
            },
          }),
      recentRecoveries: recoveries.filter((r) => r.outcome !== 'blocked').map((r) => r.startedAt),
      busy: false,
      now,
    });
  }

  private async record(recovery: RecoveryRecord): Promise<void> {
    await this.fleet.runner.mutate((m, now) => ({
      value: undefined,
      effects: m.recordRecovery(recovery, now),
    }));
    this.o.onRecorded?.(recovery);
  }
}

function describe(trigger: RecoveryTrigger): string {
  return trigger.kind === 'member-died'
    ? `member ${trigger.member} died on node ${trigger.node} (${trigger.detail})`
    : `node ${trigger.node} lost (agent silent for ${Math.round(trigger.silentMs / 1000)} s)`;
}
