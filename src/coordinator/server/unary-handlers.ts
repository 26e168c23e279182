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
import type { MachineRunner } from './machine-runner.js';
import { authorizeVerb, identityOf, type Identity, type Verb } from './identity.js';
import type { Logger } from './logger.js';

type Method<V extends Verb> = CoordinatorService[Uncapitalize<V>];
type Handler<V extends Verb> = (
  request: ReturnType<Method<V>['requestDeserialize']> | Malformed,
  identity: Identity,
) => ReturnType<Method<V>['responseDeserialize']>;

/** Every unary verb: authorize, validate, act, answer; any CohortError becomes its gRPC status here. */
export function unaryHandlers(
  runner: MachineRunner,
  logger: Logger,
): grpc.UntypedServiceImplementation {
  const m = runner.machine;
  const unary = <V extends Verb>(verb: V, handler: Handler<V>) => serve(verb, handler, logger);
  return {
    Status: unary('Status', (request) =>
      encodeStatus(m.status(runner.now(), decodeStatusRequest(request))),
    ),
    ApplyGroup: unary('ApplyGroup', (request) => {
      const manifest = decodeManifest(request);
      runner.applyGroup(manifest);
      logger.info({ group: manifest.name }, 'group-applied');
      return {};
    }),
    ListGroups: unary('ListGroups', () => ({ groups: m.listGroups().map(encodeManifest) })),
    DeleteGroup: unary('DeleteGroup', (request) => {
      const name = decodeGroupRef(request);
      runner.deleteGroup(name);
      logger.info({ group: name }, 'group-deleted');
      return {};
    }),
    History: unary('History', (request) => ({
      rounds: m.history(decodeGroupRef(request)).map(encodeRoundRecord),
    })),
    GetDecision: unary('GetDecision', (request) => {
      const { group, epoch } = decodeDecisionRequest(request);
      return encodeDecision(m.getDecision(group, epoch));
    }),
    ReportComplete: unary('ReportComplete', (request, identity) => {
      const report = decodeCompleteReport(request);
      authorizeVerb(identity, 'ReportComplete', report.member);
      runner.reportComplete(report);
      return {};
    }),
  };
}

function serve<V extends Verb>(
  verb: V,
  handler: Handler<V>,
  logger: Logger,
): grpc.handleUnaryCall<Parameters<Handler<V>>[0], ReturnType<Handler<V>>> {
  return (call, callback) => {
    try {
      const identity = identityOf(call);
      authorizeVerb(identity, verb);
      callback(null, handler(call.request, identity));
    } catch (error) {
      const cohort = toCohortError(error);
      logger.warn({ verb, code: cohort.code, message: cohort.message }, 'request-refused');
      callback(toStatusObject(cohort));
    }
  };
}
