import type * as grpc from '@grpc/grpc-js';
import { CohortError } from '../../core/errors.js';
import type { Decision, MemberSession } from '../client-types.js';
import type { BarrierStage } from '../types.js';
import { STAGE_TO_WIRE } from '../wire/enums.js';
import { parseDetails } from '../wire/status-map.js';
import { abortDecision, abortError, errorCodeOf, pick, type Abort } from './abort.js';
import { decodeServerEvent, type ServerEvent } from './decode-reply.js';
import { deferred, type Deferred } from './deferred.js';
import { recoverDecision, reportCompleteAfterLoss, type RecoveryTarget } from './recovery.js';

type Wire = Record<string, unknown>;
type CompleteResult = { ok: boolean; imageLocation?: string; reason?: string };

/**
 * One member's side of a round over its stream: barriers, vote, completion, heartbeats.
 * Before the vote a lost stream is an abort; after it, the decision is asked for again.
 */
export class MemberSessionImpl implements MemberSession {
  private currentMembers: readonly string[];
  private seq = 1;
  private readonly released = new Set<BarrierStage>();
  private readonly arrivals = new Map<BarrierStage, Deferred<void>>();
  private readonly pending = new Map<number, Deferred<never>>();
  private decision: Decision | undefined;
  private voting: Promise<Decision> | undefined;
  private voteAnswer: Deferred<Decision> | undefined;
  private completing: Deferred<void> | undefined;
  private pendingResult: CompleteResult | undefined;
  private aborted: Abort | undefined;
  private lost: string | undefined;
  private closed = false;
  private readonly listeners: ((a: Abort) => void)[] = [];
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    private readonly call: grpc.ClientDuplexStream<Wire, Wire>,
    readonly epoch: number,
    readonly roundId: string,
    members: readonly string[],
    private readonly recovery: RecoveryTarget,
    heartbeatMs: number,
  ) {
    this.currentMembers = members;
    call.on('data', (raw: Wire) => {
      const event = decodeServerEvent(raw);
      if (event !== undefined) this.onEvent(event);
    });
    call.on('error', (error: grpc.ServiceError) => this.onLost(error.details || error.message));
    call.on('end', () => this.onLost('the coordinator ended the stream'));
    this.heartbeat = setInterval(
      () => this.send({ heartbeat: { epoch: this.epoch } }),
      heartbeatMs,
    );
    this.heartbeat.unref();
  }

  get members(): readonly string[] {
    return this.currentMembers;
  }

  arrive(stage: BarrierStage): Promise<void> {
    if (this.released.has(stage)) return Promise.resolve();
    // pre-resume cannot cancel a restore: once committed, a lost coordinator only ends the wait.
    if (stage === 'resumed' && this.decision?.commit === true && this.lost !== undefined)
      return Promise.resolve();
    if (this.aborted !== undefined)
      return Promise.reject(abortError(this.epoch, this.recovery.group, this.aborted));
    if (this.lost !== undefined)
      return Promise.reject(abortError(this.epoch, this.recovery.group, { reason: this.lost }));
    let waiting = this.arrivals.get(stage);
    if (waiting === undefined) {
      const answer = deferred<void>();
      waiting = answer;
      this.arrivals.set(stage, answer);
      this.request({ arrive: { epoch: this.epoch, stage: STAGE_TO_WIRE[stage] } }, answer);
    }
    return waiting.promise;
  }

  vote(ok: boolean, reason?: string): Promise<Decision> {
    if (this.decision !== undefined) return Promise.resolve(this.decision);
    if (this.aborted !== undefined) return Promise.resolve(abortDecision(this.epoch, this.aborted));
    if (this.voting !== undefined) return this.voting;
    const answer = deferred<Decision>();
    this.voteAnswer = answer;
    this.voting = answer.promise;
    if (this.lost !== undefined) this.recover();
    else
      this.request(
        { vote: { epoch: this.epoch, ok, ...(reason === undefined ? {} : { reason }) } },
        answer,
      );
    return answer.promise;
  }

  complete(result: CompleteResult): Promise<void> {
    // An aborted round has nothing to complete.
    if (this.aborted !== undefined || this.decision?.commit === false) return Promise.resolve();
    if (this.completing !== undefined) return this.completing.promise;
    const answer = deferred<void>();
    this.completing = answer;
    if (this.lost !== undefined) this.completeAfterLoss(result);
    else this.request({ complete: { epoch: this.epoch, ...result } }, answer);
    return answer.promise;
  }

  fail(reason: string): void {
    if (this.aborted === undefined && this.lost === undefined)
      this.send({ fail: { epoch: this.epoch, reason } });
  }

  onAbort(listener: (a: Abort) => void): void {
    this.listeners.push(listener);
    if (this.aborted !== undefined) listener(this.aborted);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    if (this.lost === undefined) this.call.end();
    this.onLost('the session was closed');
  }

  private onEvent(event: ServerEvent): void {
    switch (event.type) {
      case 'release':
        if (event.stage === 'ready' && event.members.length > 0)
          this.currentMembers = event.members;
        this.released.add(event.stage);
        this.arrivals.get(event.stage)?.resolve();
        return;
      case 'decision':
        this.decide({ commit: event.commit, epoch: this.epoch, ...pick(event) });
        return;
      case 'abort':
        this.decide({ commit: false, epoch: this.epoch, reason: event.reason, ...pick(event) });
        return;
      case 'ack':
        this.completing?.resolve();
        return;
      case 'error': {
        const error = new CohortError(errorCodeOf(event.code), event.message, {
          details: parseDetails(event.detailsJson),
        });
        const waiting = this.pending.get(event.seq);
        this.pending.delete(event.seq);
        waiting?.reject(error);
        return;
      }
      case 'welcome':
        return;
    }
  }

  private decide(decision: Decision): void {
    if (this.decision !== undefined) return;
    this.decision = decision;
    this.voteAnswer?.resolve(decision);
    if (decision.commit) return;
    this.setAborted({
      reason: decision.reason ?? 'aborted',
      ...(decision.culprit === undefined ? {} : { culprit: decision.culprit }),
    });
  }

  private setAborted(abort: Abort): void {
    if (this.aborted !== undefined) return;
    this.aborted = abort;
    const error = abortError(this.epoch, this.recovery.group, abort);
    for (const waiting of this.arrivals.values()) waiting.reject(error);
    this.voteAnswer?.resolve(this.decision ?? abortDecision(this.epoch, abort));
    this.completing?.resolve();
    for (const listener of this.listeners) listener(abort);
  }

  private onLost(why: string): void {
    if (this.lost !== undefined) return;
    this.lost = why;
    clearInterval(this.heartbeat);
    if (this.decision?.commit === true) {
      this.arrivals.get('resumed')?.resolve();
      if (this.completing !== undefined && !this.closed) this.completeAfterLoss(undefined);
      return;
    }
    if (this.voting !== undefined && this.decision === undefined && !this.closed) {
      this.recover();
      return;
    }
    if (!this.closed) this.setAborted({ reason: `lost the coordinator stream: ${why}` });
  }

  private recover(): void {
    void recoverDecision(this.recovery).then((decision) => this.decide(decision));
  }

  private completeAfterLoss(result: CompleteResult | undefined): void {
    const report = result ?? this.pendingResult;
    const answer = this.completing;
    if (report === undefined || answer === undefined) return;
    reportCompleteAfterLoss(this.recovery, report).then(
      () => answer.resolve(),
      (error: unknown) => answer.reject(error),
    );
  }

  private request(body: Wire, answer: Deferred<never> | Deferred<void> | Deferred<Decision>): void {
    const seq = this.seq++;
    this.pending.set(seq, answer as Deferred<never>);
    if ('complete' in body) this.pendingResult = body.complete as CompleteResult;
    this.send(body, seq);
  }

  private send(body: Wire, seq = this.seq++): void {
    if (this.lost !== undefined || this.closed) return;
    this.call.write({ seq, ...body });
  }
}
