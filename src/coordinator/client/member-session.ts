import type * as grpc from '@grpc/grpc-js';
import type { CoordinatorMessage, MemberMessage } from '../../gen/cohort/v1/coordinator.js';
import type { Decision, MemberSession } from '../client-types.js';
import type { BarrierStage } from '../types.js';
import { STAGE_FROM_WIRE, STAGE_TO_WIRE } from '../wire/enums.js';
import { nonEmpty } from '../wire/optional.js';
import { abortDecision, abortError, pick, refusalOf, type Abort } from './abort.js';
import { deferred, type Deferred } from './deferred.js';
import { recoverDecision, reportCompleteAfterLoss, type RecoveryTarget } from './recovery.js';

type Body = NonNullable<MemberMessage['body']>;
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
    private readonly call: grpc.ClientDuplexStream<MemberMessage, CoordinatorMessage>,
    readonly epoch: number,
    readonly roundId: string,
    members: readonly string[],
    private readonly recovery: RecoveryTarget,
    heartbeatMs: number,
  ) {
    this.currentMembers = members;
    call.on('data', (message: CoordinatorMessage) => this.onMessage(message));
    call.on('error', (error: grpc.ServiceError) => this.onLost(error.details || error.message));
    call.on('end', () => this.onLost('the coordinator ended the stream'));
    this.heartbeat = setInterval(
      () => this.send({ $case: 'heartbeat', value: { epoch: this.epoch } }),
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
      const arrive = { epoch: this.epoch, stage: STAGE_TO_WIRE[stage] };
      this.request({ $case: 'arrive', value: arrive }, answer);
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
        { $case: 'vote', value: { epoch: this.epoch, ok, reason: reason ?? '' } },
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
    else {
      this.pendingResult = result;
      const { ok, imageLocation = '', reason = '' } = result;
      const complete = { epoch: this.epoch, ok, imageLocation, reason };
      this.request({ $case: 'complete', value: complete }, answer);
    }
    return answer.promise;
  }

  fail(reason: string): void {
    if (this.aborted === undefined && this.lost === undefined)
      this.send({ $case: 'fail', value: { epoch: this.epoch, reason } });
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

  private onMessage({ body }: CoordinatorMessage): void {
    switch (body?.$case) {
      case 'release': {
        const stage = STAGE_FROM_WIRE.get(body.value.stage);
        if (stage === undefined) return;
        const { members } = body.value;
        if (stage === 'ready' && members.length > 0) this.currentMembers = members;
        this.released.add(stage);
        this.arrivals.get(stage)?.resolve();
        return;
      }
      case 'decision':
        this.decide({ commit: body.value.commit, epoch: this.epoch, ...pick(body.value) });
        return;
      case 'abort': {
        const reason = nonEmpty(body.value.reason) ?? 'aborted';
        this.decide({ commit: false, epoch: this.epoch, ...pick(body.value), reason });
        return;
      }
      case 'ack':
        this.completing?.resolve();
        return;
      case 'error': {
        const waiting = this.pending.get(body.value.seq);
        this.pending.delete(body.value.seq);
        waiting?.reject(refusalOf(body.value));
        return;
      }
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

  private request(body: Body, answer: Deferred<never> | Deferred<void> | Deferred<Decision>): void {
    const seq = this.seq++;
    this.pending.set(seq, answer as Deferred<never>);
    this.send(body, seq);
  }

  private send(body: Body, seq = this.seq++): void {
    if (this.lost !== undefined || this.closed) return;
    this.call.write({ seq, body });
  }
}
