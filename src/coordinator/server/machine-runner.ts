import { CohortError, ErrorCode, toCohortError } from '../../core/errors.js';
import type { CoordinatorMessage } from '../../gen/cohort/v1/coordinator.js';
import type { ConnId, Effect, MachineEvent, OutMessage } from '../protocol/effects.js';
import type { StreamInput } from '../protocol/inputs.js';
import type { CoordinatorMachine } from '../protocol/machine.js';
import type { LogRecord, RoundDecidedRecord } from '../protocol/records.js';
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

/**
 * Where the coordinator's records are made durable: the embedded log (synchronous, fsync) or
 * etcd (asynchronous, fenced). `append` resolves only once the record is durable.
 */
export interface StateBackend {
  append(record: LogRecord): void | Promise<void>;
}

/** Test-only fault injection points; never set in production. */
export interface FaultInjection {
  /** Runs right after a decision is made durable, before anyone is told. */
  afterDecisionPersist?: (record: RoundDecidedRecord) => void;
}

export interface RunnerOptions {
  machine: CoordinatorMachine;
  backend: StateBackend;
  logger: Logger;
  metrics: Metrics;
  serialize: (message: CoordinatorMessage) => Buffer;
  clock: () => number;
  onFatal: (error: CohortError) => void;
  faults?: FaultInjection;
}

interface Task {
  step: () => Effect[];
  done: (error?: unknown) => void;
}

/**
 * Runs the pure machine for real, one input at a time: each input's effects are carried out in
 * order (a persist is durable before the next effect) before the next input reaches the machine,
 * so nothing is announced or answered from a state not yet recorded. With the embedded log the
 * whole pass is synchronous; with etcd it waits on each write.
 */
export class MachineRunner {
  private readonly sinks = new Map<ConnId, StreamSink>();
  private readonly listeners: ((event: MachineEvent) => void)[] = [];
  private readonly tasks: Task[] = [];
  private draining = false;
  private nextConn = 1;
  private timer: NodeJS.Timeout | undefined;
  private timerAt: number | undefined;
  private failure: CohortError | undefined;
  private readonly serialized = new WeakMap<OutMessage, Buffer>();

  constructor(private readonly o: RunnerOptions) {}

  now(): number {
    return this.o.clock();
  }

  /** Hears every machine event (round opened, committed, aborted, closed) once it is recorded. */
  onEvent(listener: (event: MachineEvent) => void): void {
    this.listeners.push(listener);
  }

  openStream(sink: StreamSink): ConnId {
    const conn = this.nextConn++;
    this.sinks.set(conn, sink);
    return conn;
  }

  receive(input: StreamInput): void {
    void this.submit(() => this.o.machine.step({ ...input, now: this.now() })).catch(
      () => undefined,
    );
  }

  closeStream(conn: ConnId, reason: string): void {
    if (!this.sinks.delete(conn)) return;
    void this.submit(() =>
      this.o.machine.step({ type: 'disconnect', conn, reason, now: this.now() }),
    ).catch(() => undefined);
  }

  /** Settles what the replayed log left open, once, at start. */
  recover(): Promise<void> {
    return this.submit(() => this.o.machine.recover(this.now()));
  }

  /**
   * Changes the machine and carries out what follows; resolves with `value` once every effect
   * is done (its records durable). A refusal (CohortError) rejects; nothing was changed then.
   */
  mutate<T>(
    body: (machine: CoordinatorMachine, now: number) => { value: T; effects: Effect[] },
  ): Promise<T> {
    let value: T | undefined;
    return this.submit(() => {
      const result = body(this.o.machine, this.now());
      value = result.value;
      return result.effects;
    }).then(() => value as T);
  }

  /** Reads the machine between inputs: never a state whose records are still being written. */
  query<T>(read: (machine: CoordinatorMachine, now: number) => T): Promise<T> {
    return this.mutate((machine, now) => ({ value: read(machine, now), effects: [] }));
  }

  /** Aborts open rounds ("coordinator shutting down"), recorded and broadcast, then ends streams. */
  async shutdown(): Promise<void> {
    if (this.failure === undefined) {
      await this.submit(() => this.o.machine.step({ type: 'shutdown', now: this.now() })).catch(
        () => undefined,
      );
    }
    this.clearTimer();
    for (const sink of this.sinks.values()) sink.end();
    this.sinks.clear();
  }

  /**
   * Stops at once and announces nothing more: every stream ends, every queued input is refused.
   * For a replica that no longer leads: it may not record an abort, so it may not send one.
   */
  halt(error: CohortError): void {
    this.fatal(error);
  }

  private submit(step: () => Effect[]): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.stopped());
    return new Promise((resolve, reject) => {
      this.tasks.push({ step, done: (error) => (error === undefined ? resolve() : reject(error)) });
      if (!this.draining) void this.drain();
    });
  }

  /** Takes inputs in order; runs synchronously until a persist has to be awaited. */
  private async drain(): Promise<void> {
    this.draining = true;
    while (this.tasks.length > 0) {
      const task = this.tasks.shift() as Task;
      if (this.failure !== undefined) {
        task.done(this.stopped());
        continue;
      }
      let effects: Effect[];
      try {
        effects = task.step();
      } catch (error) {
        // The machine refused the input (a CohortError); it changed nothing.
        task.done(error);
        continue;
      }
      try {
        const pending = this.execute(effects, 0);
        if (pending !== undefined) await pending;
        task.done();
      } catch (error) {
        this.fatal(toCohortError(error, ErrorCode.Store));
        task.done(error);
      }
    }
    this.draining = false;
    this.rearm();
  }

  /** Carries out effects from `index`; returns a promise only when a persist must be awaited. */
  private execute(effects: Effect[], index: number): Promise<void> | undefined {
    for (let i = index; i < effects.length; i += 1) {
      const effect = effects[i] as Effect;
      if (effect.type === 'persist') {
        const written = this.o.backend.append(effect.record);
        if (written !== undefined) {
          return written.then(() => {
            this.afterPersist(effect.record);
            return this.execute(effects, i + 1);
          });
        }
        this.afterPersist(effect.record);
      } else {
        this.deliver(effect);
      }
    }
    return undefined;
  }

  private afterPersist(record: LogRecord): void {
    if (record.type === 'round-decided') this.o.faults?.afterDecisionPersist?.(record);
  }

  private deliver(effect: Exclude<Effect, { type: 'persist' }>): void {
    switch (effect.type) {
      case 'send':
        this.sinks.get(effect.conn)?.write(this.bytesOf(effect.message));
        return;
      case 'broadcast': {
        const bytes = this.bytesOf(effect.message);
        for (const conn of effect.conns) this.sinks.get(conn)?.write(bytes);
        return;
      }
      case 'refuse':
        this.sinks.get(effect.conn)?.fail(effect.error);
        this.sinks.delete(effect.conn);
        return;
      case 'event':
        observeEvent(effect.event, this.o.logger, this.o.metrics);
        for (const listener of this.listeners) listener(effect.event);
        return;
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
    void this.submit(() => this.o.machine.step({ type: 'tick', now: this.now() })).catch(
      () => undefined,
    );
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = undefined;
  }

  private stopped(): CohortError {
    return new CohortError(
      ErrorCode.Unreachable,
      `the coordinator stopped: ${this.failure?.message ?? ''}`,
    );
  }

  /** A record cannot be made durable: announcing anything now could break "recorded before announced". */
  private fatal(error: CohortError): void {
    if (this.failure !== undefined) return;
    this.failure = error;
    this.clearTimer();
    this.o.logger.error({ code: error.code, message: error.message }, 'coordinator-stopped');
    const unavailable = this.stopped();
    for (const sink of this.sinks.values()) sink.fail(unavailable);
    this.sinks.clear();
    this.o.onFatal(error);
  }
}
