import type * as grpc from '@grpc/grpc-js';
import type { CoordinatorMessage, MemberMessage } from '../../gen/cohort/v1/coordinator.js';
import type { Decision, MemberSession } from '../client-types.js';
import type { BarrierStage, Deadlines } from '../types.js';
import { STAGE_FROM_WIRE, STAGE_TO_WIRE } from '../wire/enums.js';
import { nonEmpty } from '../wire/optional.js';
import { ErrorCode } from '../../core/errors.js';
import { abortDecision, abortError, abortOf, pick, refusalOf, type Abort } from './abort.js';
import { deferred, type Deferred } from './deferred.js';
import { recoverDecision, reportCompleteAfterLoss, type RecoveryTarget } from './recovery.js';

type Body = NonNullable<MemberMessage['body']>;
type CompleteResult = { ok: boolean; imageLocation?: string; reason?: string };

/**
 * Where the round stands for this member: no decision yet (perhaps voted, waiting for it), or
 * decided (a commit, or an abort with its reason and culprit).
 */
type Round =
  | { kind: 'undecided'; vote?: Deferred<Decision> }
  | { kind: 'committed'; decision: Decision }
  | { kind: 'aborted'; decision: Decision; abort: Abort };

/** The stream to the coordinator: up, lost (and why), or closed by us. */
type Stream = { kind: 'up' } | { kind: 'lost'; why: string } | { kind: 'closed' };

/** runc's result once asked to report it: sent on the stream, or by unary call after a loss. */
interface Completion {
  answer: Deferred<void>;
  result: CompleteResult;
}

/**
 * One member's side of a round over its stream: barriers, vote, completion, heartbeats. Its
 * state is one value per concern, changed only by `decide` and `onLost`. Before the vote a lost
 * stream is an abort; after it, the decision is asked for again.
 */
export class MemberSessionImpl implements MemberSession {
  private round: Round = { kind: 'undecided' };
  private stream: Stream = { kind: 'up' };
  private completion: Completion | undefined;
  private currentMembers: readonly string[];
  private seq = 1;
  private readonly released = new Set<BarrierStage>();
  private readonly arrivals = new Map<BarrierStage, Deferred<void>>();
  private readonly pending = new Map<number, Deferred<never>>();
  private readonly listeners: ((a: Abort) => void)[] = [];
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    private readonly call: grpc.ClientDuplexStream<MemberMessage, CoordinatorMessage>,
    readonly epoch: number,
    readonly roundId: string,
    members: readonly string[],
    readonly deadlines: Deadlines,
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

  get outcome(): Decision | undefined {
    return this.round.kind === 'undecided' ? undefined : this.round.decision;
  }

  arrive(stage: BarrierStage): Promise<void> {
    if (this.released.has(stage)) return Promise.resolve();
    const { round, stream } = this;
    // pre-resume cannot cancel a restore: once committed, a lost coordinator only ends the wait.
    if (stage === 'resumed' && round.kind === 'committed' && stream.kind !== 'up')
      return Promise.resolve();
    if (round.kind === 'aborted')
      return Promise.reject(abortError(this.epoch, this.recovery.group, round.abort));
    if (stream.kind === 'lost')
      return Promise.reject(abortError(this.epoch, this.recovery.group, { reason: stream.why }));
    let waiting = this.arrivals.get(stage);
    if (waiting === undefined) {
      waiting = deferred<void>();
      this.arrivals.set(stage, waiting);
      const arrive = { epoch: this.epoch, stage: STAGE_TO_WIRE[stage] };
      this.request({ $case: 'arrive', value: arrive }, waiting);
    }
    return waiting.promise;
  }

  vote(ok: boolean, reason?: string): Promise<Decision> {
    const { round } = this;
    if (round.kind !== 'undecided') return Promise.resolve(round.decision);
    if (round.vote !== undefined) return round.vote.promise;
    const answer = deferred<Decision>();
    this.round = { kind: 'undecided', vote: answer };
    if (this.stream.kind === 'lost') this.recover();
    else
      this.request(
        { $case: 'vote', value: { epoch: this.epoch, ok, reason: reason ?? '' } },
        answer,
      );
    return answer.promise;
  }

  complete(result: CompleteResult): Promise<void> {
    // An aborted round has nothing to complete.
    if (this.round.kind === 'aborted') return Promise.resolve();
    if (this.completion !== undefined) return this.completion.answer.promise;
    const completion: Completion = { answer: deferred<void>(), result };
    this.completion = completion;
    if (this.stream.kind === 'lost') this.completeAfterLoss(completion);
    else {
      const { ok, imageLocation = '', reason = '' } = result;
      const complete = { epoch: this.epoch, ok, imageLocation, reason };
      this.request({ $case: 'complete', value: complete }, completion.answer);
    }
    return completion.answer.promise;
  }

  fail(reason: string): void {
    if (this.round.kind !== 'aborted')
      this.send({ $case: 'fail', value: { epoch: this.epoch, reason } });
  }

  onAbort(listener: (a: Abort) => void): void {
    this.listeners.push(listener);
    if (this.round.kind === 'aborted') listener(this.round.abort);
  }

  close(): void {
    if (this.stream.kind === 'closed') return;
    const wasUp = this.stream.kind === 'up';
    this.stream = { kind: 'closed' };
    clearInterval(this.heartbeat);
    if (wasUp) this.call.end();
    // Whoever still waits hears that the session ended; a round without a decision is over for us.
    if (this.round.kind === 'undecided')
      this.decide(abortDecision(this.epoch, { reason: 'the session was closed' }));
    this.arrivals.get('resumed')?.resolve();
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
        this.completion?.answer.resolve();
        return;
      case 'error': {
        const waiting = this.pending.get(body.value.seq);
        this.pending.delete(body.value.seq);
        const refusal = refusalOf(body.value);
        // Refused because the round was aborted: that is the round's outcome, reason and culprit.
        if (refusal.code === ErrorCode.Aborted) this.decide(abortOf(this.epoch, refusal));
        waiting?.reject(refusal);
        return;
      }
    }
  }

  /** The one way the round's state changes: the first decision wins, and everyone waiting hears it. */
  private decide(decision: Decision): void {
    const { round } = this;
    if (round.kind !== 'undecided') return;
    round.vote?.resolve(decision);
    if (decision.commit) {
      this.round = { kind: 'committed', decision };
      return;
    }
    const abort: Abort = {
      reason: decision.reason ?? 'aborted',
      ...(decision.culprit === undefined ? {} : { culprit: decision.culprit }),
    };
    this.round = { kind: 'aborted', decision, abort };
    const error = abortError(this.epoch, this.recovery.group, abort);
    for (const waiting of this.arrivals.values()) waiting.reject(error);
    this.completion?.answer.resolve();
    for (const listener of this.listeners) listener(abort);
  }

  private onLost(why: string): void {
    if (this.stream.kind !== 'up') return;
    this.stream = { kind: 'lost', why };
    clearInterval(this.heartbeat);
    const { round } = this;
    if (round.kind === 'committed') {
      this.arrivals.get('resumed')?.resolve();
      if (this.completion !== undefined) this.completeAfterLoss(this.completion);
    } else if (round.kind === 'undecided') {
      // Voted: a restarting coordinator may have recorded the decision. Not voted: an abort.
      if (round.vote !== undefined) this.recover();
      else
        this.decide(abortDecision(this.epoch, { reason: `lost the coordinator stream: ${why}` }));
    }
  }

  private recover(): void {
    void recoverDecision(this.recovery).then((decision) => this.decide(decision));
  }

  private completeAfterLoss(completion: Completion): void {
    reportCompleteAfterLoss(this.recovery, completion.result).then(
      () => completion.answer.resolve(),
      (error: unknown) => completion.answer.reject(error),
    );
  }

  private request(body: Body, answer: Deferred<never> | Deferred<void> | Deferred<Decision>): void {
    const seq = this.seq++;
    this.pending.set(seq, answer as Deferred<never>);
    this.send(body, seq);
  }

  private send(body: Body, seq = this.seq++): void {
    if (this.stream.kind === 'up') this.call.write({ seq, body });
  }
}
