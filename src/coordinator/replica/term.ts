import type * as grpc from '@grpc/grpc-js';
import type { CohortError } from '../../core/errors.js';
import type { EtcdClient, Leadership } from '../../etcd/index.js';
import { EtcdBackend, loadState } from '../backend/etcd-backend.js';
import { Fleet } from '../fleet/fleet.js';
import { CoordinatorMachine } from '../protocol/machine.js';
import { serviceHandlers, sessionSerializer, type ServiceName } from '../server/build-server.js';
import type { Logger } from '../server/logger.js';
import { MachineRunner, type FaultInjection } from '../server/machine-runner.js';
import type { Metrics } from '../server/metrics.js';
import type { Deadlines } from '../types.js';

export interface TermOptions {
  etcd: EtcdClient;
  leadership: Leadership;
  deadlines: Deadlines;
  logger: Logger;
  metrics: Metrics;
  clock: () => number;
  agentLossMs: number;
  faults?: FaultInjection;
}

/**
 * One replica's time as leader: the machine rebuilt from etcd, its runner writing through the
 * leadership (fenced), the fleet, and the handlers the gate sends calls to. It ends at the first
 * sign that it may no longer lead: the lease lost, or a write etcd refused or did not confirm.
 */
export class Term {
  readonly ended: Promise<CohortError>;
  private endWith!: (error: CohortError) => void;
  private over = false;

  private constructor(
    readonly machine: CoordinatorMachine,
    readonly runner: MachineRunner,
    readonly fleet: Fleet,
    readonly handlers: Record<ServiceName, grpc.UntypedServiceImplementation>,
  ) {
    this.ended = new Promise((resolve) => (this.endWith = resolve));
  }

  /** Loads state at one revision, settles rounds the last leader left open, starts the fleet. */
  static async start(o: TermOptions): Promise<{ term: Term; keys: number; revision: number }> {
    const loaded = await loadState(o.etcd);
    const machine = new CoordinatorMachine(o.deadlines);
    machine.replay(loaded.records);
    // The runner may fail while recovering, before the term exists: that failure is the start's.
    const owner: { term?: Term; early?: CohortError } = {};
    const runner = new MachineRunner({
      machine,
      backend: new EtcdBackend(o.leadership, loaded.recoveries, o.logger),
      logger: o.logger,
      metrics: o.metrics,
      serialize: sessionSerializer(),
      clock: o.clock,
      onFatal: (error) =>
        owner.term === undefined ? (owner.early = error) : owner.term.end(error),
      ...(o.faults === undefined ? {} : { faults: o.faults }),
    });
    // Rounds without a recorded decision are aborted, and that recorded, before anyone is served.
    await runner.recover().catch(() => undefined);
    if (owner.early !== undefined) throw owner.early;
    const fleet = new Fleet({
      runner,
      logger: o.logger,
      metrics: o.metrics,
      clock: o.clock,
      agentLossMs: o.agentLossMs,
    });
    await fleet.start();
    if (owner.early !== undefined) {
      fleet.stop();
      throw owner.early;
    }
    owner.term = new Term(machine, runner, fleet, serviceHandlers(runner, fleet, o.logger));
    return { term: owner.term, keys: loaded.keys, revision: loaded.revision };
  }

  /**
   * Stops at once, recording and announcing nothing: members' streams end (a member that had
   * not voted aborts; one that had asks the next leader), agents' links end, queued calls fail.
   */
  end(error: CohortError): void {
    if (this.over) return;
    this.over = true;
    this.runner.halt(error);
    this.fleet.stop();
    this.endWith(error);
  }

  /** A clean stop while still leading: open rounds are aborted (and that recorded) first. */
  async shutdown(): Promise<void> {
    if (this.over) return;
    this.fleet.stop();
    await this.runner.shutdown();
    this.over = true;
  }
}
