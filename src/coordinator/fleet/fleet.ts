import { CohortError, ErrorCode, toCohortError } from '../../core/errors.js';
import { DEFAULT_POLICY, type GroupPolicy } from '../rules/policy.js';
import type { ScheduleState } from '../rules/schedule.js';
import type { MachineRunner } from '../server/machine-runner.js';
import type { Logger } from '../server/logger.js';
import type { Metrics } from '../server/metrics.js';
import type { CriuOptions, StoredCheckpointRecord } from '../types.js';
import { AgentRegistry } from './agents.js';
import { checkpointGroup } from './checkpoint-group.js';
import { makeFleetContext, type FleetContext } from './context.js';
import { GroupLocks } from './group-locks.js';
import type { OperationOutcome } from './outcome.js';
import { Recoverer } from './recoverer.js';
import { restoreGroup, type RestorePlan } from './restore-group.js';
import { RoundEnds } from './round-ends.js';
import { Scheduler } from './scheduler.js';
import { StrayRounds } from './stray-rounds.js';

export interface FleetOptions {
  runner: MachineRunner;
  logger: Logger;
  metrics: Metrics;
  clock: () => number;
  /** How long a node's agent may be away before its members count as lost. */
  agentLossMs: number;
  random?: () => number;
}

/**
 * The coordinator's side of the nodes: its agents, the operations it runs on groups (never two
 * at once per group), the schedule each group's policy asks for, and recovery.
 */
export class Fleet {
  readonly registry: AgentRegistry;
  private readonly context: FleetContext;
  private readonly locks = new GroupLocks();
  private readonly scheduler: Scheduler;
  private readonly stray: StrayRounds;

  constructor(private readonly o: FleetOptions) {
    this.registry = new AgentRegistry(o.agentLossMs, o.clock);
    this.stray = new StrayRounds(o.runner, (group, epoch, reason) =>
      this.context.abortRound(group, epoch, reason),
    );
    this.context = makeFleetContext(
      this.registry,
      o.runner,
      new RoundEnds(o.runner),
      o.logger,
      o.clock,
      (group, epoch) => this.stray.claim(group, epoch),
    );
    this.scheduler = new Scheduler({
      clock: o.clock,
      random: o.random ?? Math.random,
      logger: o.logger,
      checkpoint: (group, policy) =>
        this.runCheckpoint(group, policy, optionsOf(policy), policy.store, true),
      onStart: (_group, lateMs) => o.metrics.scheduleJitter(lateMs / 1000),
      onFinish: (group, state) => o.metrics.scheduleState(group, state),
    });
    const recoverer = new Recoverer(this.context, {
      policyOf: (group) => o.runner.query((m) => m.policy(group)),
      hold: (group, body) => this.locks.run(group, 'a recovery', body),
      restore: (plan) => this.restoreHeld(plan),
      onRecorded: (recovery) => {
        if (recovery.outcome !== 'running') o.metrics.recovery(recovery.group, recovery.outcome);
      },
    });
    this.registry.onEvent((event) => recoverer.hear(event));
  }

  /** Starts the schedules of the policies the coordinator recorded before it (re)started. */
  async start(): Promise<void> {
    const policies = await this.o.runner.query((m) => m.policies());
    for (const [group, policy] of policies) {
      const lastSuccess = await this.o.runner.query(
        (m) => m.storedCheckpoints(group)[0]?.createdAt,
      );
      this.scheduler.setPolicy(
        group,
        policy,
        lastSuccess === undefined ? undefined : Date.parse(lastSuccess),
      );
    }
  }

  stop(): void {
    this.scheduler.stop();
    this.registry.close();
  }

  /** An operator's checkpoint: the group's store and keep unless given; refused while busy. */
  async checkpoint(group: string, options: CriuOptions, store?: string): Promise<OperationOutcome> {
    const policy = (await this.policy(group)) ?? DEFAULT_POLICY;
    return this.runCheckpoint(group, policy, options, store ?? policy.store, false);
  }

  async restore(plan: Omit<RestorePlan, 'from'> & { from?: string }): Promise<OperationOutcome> {
    const from = plan.from ?? (await this.policy(plan.group))?.store;
    if (from === undefined) {
      throw new CohortError(
        ErrorCode.Argv,
        `group ${plan.group} has no store in its policy; name one with --from LOCATION`,
        { details: { group: plan.group } },
      );
    }
    return this.locks.tryRun(plan.group, 'a restore', () => this.restoreHeld({ ...plan, from }));
  }

  async setPolicy(group: string, policy: GroupPolicy): Promise<void> {
    await this.o.runner.mutate((m, now) => ({
      value: undefined,
      effects: m.setPolicy(group, policy, now),
    }));
    this.scheduler.setPolicy(group, policy);
  }

  policy(group: string): Promise<GroupPolicy | undefined> {
    return this.o.runner.query((m) => m.policy(group));
  }

  /** The group's policy, stored checkpoints (newest first) and recoveries, read together. */
  readGroup(group: string) {
    return this.o.runner.query(
      (m) => [m.policy(group), m.storedCheckpoints(group), m.recoveries(group)] as const,
    );
  }

  storedCheckpoints(group: string): Promise<StoredCheckpointRecord[]> {
    return this.o.runner.query((m) => m.storedCheckpoints(group));
  }

  schedule(group: string): { state?: ScheduleState; busy?: string } {
    const state = this.scheduler.state(group);
    const busy = this.locks.holder(group);
    return { ...(state === undefined ? {} : { state }), ...(busy === undefined ? {} : { busy }) };
  }

  private runCheckpoint(
    group: string,
    policy: GroupPolicy,
    options: CriuOptions,
    store: string | undefined,
    scheduled: boolean,
  ): Promise<OperationOutcome> {
    const what = scheduled ? 'a scheduled checkpoint' : 'a checkpoint';
    return this.locks.tryRun(group, what, async () => {
      if (!scheduled) this.scheduler.started(group);
      let outcome: OperationOutcome;
      try {
        outcome = await this.stray.around(group, () =>
          checkpointGroup(this.context, {
            group,
            keep: policy.keep,
            options,
            ...(store === undefined ? {} : { store }),
          }),
        );
      } catch (error) {
        // Refused before a round (members missing, claimed twice): the schedule must go on.
        if (!scheduled)
          this.scheduler.finished(group, { ok: false, reason: toCohortError(error).message });
        throw error;
      }
      if (!scheduled) {
        const ok =
          outcome.outcome === 'stored' || (outcome.outcome === 'permanent' && store === undefined);
        this.scheduler.finished(
          group,
          ok ? { ok: true } : { ok: false, reason: outcome.reason ?? outcome.outcome },
        );
      }
      this.o.metrics.groupRound(group, 'checkpoint', outcome.outcome, outcome.durationMs / 1000);
      return outcome;
    });
  }

  private async restoreHeld(plan: RestorePlan): Promise<OperationOutcome> {
    this.scheduler.started(plan.group);
    try {
      const outcome = await this.stray.around(plan.group, () => restoreGroup(this.context, plan));
      this.o.metrics.groupRound(plan.group, 'restore', outcome.outcome, outcome.durationMs / 1000);
      return outcome;
    } finally {
      this.scheduler.idle(plan.group);
    }
  }
}

/** A scheduled round's CRIU options, from the group's policy. */
function optionsOf(policy: GroupPolicy): CriuOptions {
  return {
    leaveRunning: policy.leaveRunning,
    tcpEstablished: policy.tcpEstablished,
    fileLocks: policy.fileLocks,
  };
}
