import type * as grpc from '@grpc/grpc-js';
import { toCohortError } from '../../core/errors.js';
import type { CoordinatorService } from '../../gen/cohort/v1/coordinator.js';
import type { Malformed } from '../wire/checks.js';
import {
  decodeCompleteReport,
  decodeDecisionRequest,
  decodeGroupRef,
  decodeManifest,
  decodeStatusRequest,
} from '../wire/decode-unary.js';
import { encodeDecision, encodeManifest, encodeRoundRecord, encodeStatus } from '../wire/encode.js';
import { toStatusObject } from '../wire/status-map.js';
import type { Effect } from '../protocol/effects.js';
import type { MachineRunner } from './machine-runner.js';
import { authorizeVerb, identityOf, type Identity, type Verb } from './identity.js';
import type { Logger } from './logger.js';

/** The Coordinator service's own unary verbs. */
type UnaryVerb = Extract<
  Verb,
  | 'Status'
  | 'ApplyGroup'
  | 'ListGroups'
  | 'DeleteGroup'
  | 'History'
  | 'GetDecision'
  | 'ReportComplete'
>;
type Method<V extends UnaryVerb> = CoordinatorService[Uncapitalize<V>];
type Reply<V extends UnaryVerb> = ReturnType<Method<V>['responseDeserialize']>;
type Handler<V extends UnaryVerb> = (
  request: ReturnType<Method<V>['requestDeserialize']> | Malformed,
  identity: Identity,
) => Promise<Reply<V>>;

/** Every unary verb: authorize, validate, act, answer; any CohortError becomes its gRPC status here. */
export function unaryHandlers(
  runner: MachineRunner,
  logger: Logger,
): grpc.UntypedServiceImplementation {
  const unary = <V extends UnaryVerb>(verb: V, handler: Handler<V>) => serve(verb, handler, logger);
  const none = (effects: Effect[]) => ({ value: {}, effects });
  return {
    Status: unary('Status', (request) => {
      const group = decodeStatusRequest(request);
      return runner.query((m, now) => encodeStatus(m.status(now, group)));
    }),
    ApplyGroup: unary('ApplyGroup', async (request) => {
      const manifest = decodeManifest(request);
      await runner.mutate((m, now) => none(m.applyGroup(manifest, now)));
      logger.info({ group: manifest.name }, 'group-applied');
      return {};
    }),
    ListGroups: unary('ListGroups', () =>
      runner.query((m) => ({ groups: m.listGroups().map(encodeManifest) })),
    ),
    DeleteGroup: unary('DeleteGroup', async (request) => {
      const name = decodeGroupRef(request);
      await runner.mutate((m, now) => none(m.deleteGroup(name, now)));
      logger.info({ group: name }, 'group-deleted');
      return {};
    }),
    History: unary('History', (request) => {
      const group = decodeGroupRef(request);
      return runner.query((m) => ({ rounds: m.history(group).map(encodeRoundRecord) }));
    }),
    GetDecision: unary('GetDecision', (request) => {
      const { group, epoch } = decodeDecisionRequest(request);
      return runner.query((m) => encodeDecision(m.getDecision(group, epoch)));
    }),
    ReportComplete: unary('ReportComplete', async (request, identity) => {
      const report = decodeCompleteReport(request);
      authorizeVerb(identity, 'ReportComplete', report.member);
      await runner.mutate((m, now) => none(m.reportComplete(report, now)));
      return {};
    }),
  };
}

function serve<V extends UnaryVerb>(
  verb: V,
  handler: Handler<V>,
  logger: Logger,
): grpc.handleUnaryCall<Parameters<Handler<V>>[0], Reply<V>> {
  return (call, callback) => {
    const refuse = (error: unknown) => {
      const cohort = toCohortError(error);
      logger.warn({ verb, code: cohort.code, message: cohort.message }, 'request-refused');
      callback(toStatusObject(cohort));
    };
    try {
      const identity = identityOf(call);
      authorizeVerb(identity, verb);
      handler(call.request, identity).then((reply) => callback(null, reply), refuse);
    } catch (error) {
      refuse(error);
    }
  };
}
