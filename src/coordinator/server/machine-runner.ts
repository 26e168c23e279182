import { CohortError, ErrorCode, toCohortError } from '../../core/errors.js';
import type { CoordinatorMessage } from '../../gen/cohort/v1/coordinator.js';
import type { CoordinatorMachine } from '../protocol/machine.js';
import type { ConnId, Effect, OutMessage } from '../protocol/effects.js';
import type { CompleteReport, StreamInput } from '../protocol/inputs.js';
import type { RoundDecidedRecord } from '../protocol/records.js';
import type { StateLog } from '../store/state-log.js';
import type { GroupManifest } from '../types.js';
import { encodeOut } from '../wire/encode.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import { observeEvent } from './observe.js';

/** One member stream as the runner sees it. */
export interface StreamSink {
  /** A message object, or bytes already serialized once for a broadcast. */
  write(message: CoordinatorMessage | Buffer): void;
  /** Ends the stream with the error's gRPC status. */
  fail(error: CohortError): void;
  /** Ends the stream cleanly. */
  end(): void;
}

/** Test-only fault injection points; never set in production. */
export interface FaultInjection {
  /** Runs right after a decision is synced to disk, before anyone is told. */
  afterDecisionPersist?: (record: RoundDecidedRecord) => void;
}

export interface RunnerOptions {
  machine: CoordinatorMachine;
  log: StateLog;
  logger: Logger;
  metrics: Metrics;
  serialize: (message: CoordinatorMessage) => Buffer;
  clock: () => number;
  onFatal: (error: CohortError) => void;
  faults?: FaultInjection;
}

/**
 * Runs the pure machine for real: carries out its effects in order (a persist is synced before
 * the next effect), owns the streams, and arms one timer for the machine's next wakeup.
 */
export class MachineRunner {
  private readonly sinks = new Map<ConnId, StreamSink>();
  private nextConn = 1;
  private timer: NodeJS.Timeout | undefined;
  private timerAt: number | undefined;
  private failure: CohortError | undefined;
  private readonly serialized = new WeakMap<OutMessage, Buffer>();

  constructor(private readonly o: RunnerOptions) {}

  get machine(): CoordinatorMachine {
    return this.o.machine;
  }

  now(): number {
    return this.o.clock();
  }

  openStream(sink: StreamSink): ConnId {
    const conn = this.nextConn++;
    this.sinks.set(conn, sink);
    return conn;
  }

  receive(input: StreamInput): void {
    if (this.failure !== undefined) return;
    this.run(this.o.machine.step({ ...input, now: this.now() }));
  }

  closeStream(conn: ConnId, reason: string): void {
    if (!this.sinks.delete(conn) || this.failure !== undefined) return;
    this.run(this.o.machine.step({ type: 'disconnect', conn, reason, now: this.now() }));
  }

  /** Replays nothing itself: settles what the replayed log left open, once, at start. */
  recover(): void {
    this.run(this.o.machine.recover(this.now()));
  }

  applyGroup(manifest: GroupManifest): void {
    this.run(
      this.mutate(() => this.o.machine.applyGroup(manifest, this.now())),
      true,
    );
  }

  deleteGroup(name: string): void {
    this.run(
      this.mutate(() => this.o.machine.deleteGroup(name, this.now())),
      true,
    );
  }

  reportComplete(report: CompleteReport): void {
    this.run(
      this.mutate(() => this.o.machine.reportComplete(report, this.now())),
      true,
    );
  }

  /** Aborts open rounds ("coordinator shutting down"), persisted and broadcast, then ends streams. */
  shutdown(): void {
    if (this.failure === undefined)
      this.run(this.o.machine.step({ type: 'shutdown', now: this.now() }));
    this.clearTimer();
    for (const sink of this.sinks.values()) sink.end();
    this.sinks.clear();
  }

  private mutate(body: () => Effect[]): Effect[] {
    if (this.failure !== undefined) {
      throw new CohortError(
        ErrorCode.Unreachable,
        `the coordinator stopped: ${this.failure.message}`,
      );
    }
    return body();
  }

  /** Carries out effects; a failure here is fatal, and reaches the caller only for unary calls. */
  private run(effects: Effect[], rethrow = false): void {
    try {
      this.execute(effects);
    } catch (error) {
      this.fatal(toCohortError(error, ErrorCode.Store));
      if (rethrow) throw error;
      return;
    }
    this.rearm();
  }

  private execute(effects: Effect[]): void {
    for (const effect of effects) {
      switch (effect.type) {
        case 'persist':
          this.o.log.append(effect.record);
          if (effect.record.type === 'round-decided')
            this.o.faults?.afterDecisionPersist?.(effect.record);
          break;
        case 'send':
          this.sinks.get(effect.conn)?.write(this.bytesOf(effect.message));
          break;
        case 'broadcast': {
          const bytes = this.bytesOf(effect.message);
          for (const conn of effect.conns) this.sinks.get(conn)?.write(bytes);
          break;
        }
        case 'refuse':
          this.sinks.get(effect.conn)?.fail(effect.error);
          this.sinks.delete(effect.conn);
          break;
        case 'event':
          observeEvent(effect.event, this.o.logger, this.o.metrics);
          break;
      }
    }
  }

  /** Serializes a message once however many members it goes to (a round's welcome, a release). */
  private bytesOf(message: OutMessage): Buffer {
    let bytes = this.serialized.get(message);
    if (bytes === undefined) {
      bytes = this.o.serialize(encodeOut(message));
      this.serialized.set(message, bytes);
    }
    return bytes;
  }

  private rearm(): void {
    const wake = this.o.machine.nextWakeup();
    if (wake === this.timerAt && this.timer !== undefined) return;
    this.clearTimer();
    if (wake === undefined || this.failure !== undefined) return;
    this.timerAt = wake;
    this.timer = setTimeout(() => this.fire(), Math.max(0, wake - this.now()));
    this.timer.unref();
  }

  private fire(): void {
    this.timer = undefined;
    this.timerAt = undefined;
    if (this.failure !== undefined) return;
    this.run(this.o.machine.step({ type: 'tick', now: this.now() }));
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = undefined;
  }

  /** The log cannot be written: announcing anything now could break "recorded before announced". */
  private fatal(error: CohortError): void {
    if (this.failure !== undefined) return;
    this.failure = error;
    this.clearTimer();
    this.o.logger.error({ code: error.code, message: error.message }, 'coordinator-stopped');
    const unavailable = new CohortError(
      ErrorCode.Unreachable,
      `the coordinator stopped: ${error.message}`,
    );
    for (const sink of this.sinks.values()) sink.fail(unavailable);
    this.sinks.clear();
    this.o.onFatal(error);
  }
}
