import type { sendUnaryData, ServerUnaryCall, UntypedServiceImplementation } from '@grpc/grpc-js';
import { toCohortError } from '../../core/errors.js';
import {
  decodeCompleteReport,
  decodeDecisionRequest,
  decodeGroupRef,
  decodeManifest,
  decodeStatusRequest,
} from '../wire/decode-unary.js';
import { encodeDecision, encodeManifest, encodeRoundRecord, encodeStatus } from '../wire/encode.js';
import { toStatusObject } from '../wire/status-map.js';
import type { CoordinatorCore } from './coordinator-core.js';
import { authorizeVerb, identityOf, type Identity, type Verb } from './identity.js';
import type { Logger } from './logger.js';

type Wire = Record<string, unknown>;
type Handler = (request: unknown, identity: Identity) => Wire;

/** Every unary verb: authorize, validate, act, answer; any CohortError becomes its gRPC status here. */
export function unaryHandlers(core: CoordinatorCore, logger: Logger): UntypedServiceImplementation {
  const m = core.machine;
  const verbs: Record<Verb, Handler> = {
    Status: (request) => encodeStatus(m.status(core.now(), decodeStatusRequest(request))),
    ApplyGroup: (request) => {
      const manifest = decodeManifest(request);
      core.applyGroup(manifest);
      logger.info({ group: manifest.name }, 'group-applied');
      return {};
    },
    ListGroups: () => ({ groups: m.listGroups().map(encodeManifest) }),
    DeleteGroup: (request) => {
      const name = decodeGroupRef(request);
      core.deleteGroup(name);
      logger.info({ group: name }, 'group-deleted');
      return {};
    },
    History: (request) => ({ rounds: m.history(decodeGroupRef(request)).map(encodeRoundRecord) }),
    GetDecision: (request) => {
      const { group, epoch } = decodeDecisionRequest(request);
      return encodeDecision(m.getDecision(group, epoch));
    },
    ReportComplete: (request, identity) => {
      const report = decodeCompleteReport(request);
      authorizeVerb(identity, 'ReportComplete', report.member);
      core.reportComplete(report);
      return {};
    },
  };
  const implementation: UntypedServiceImplementation = {};
  for (const [verb, handler] of Object.entries(verbs) as [Verb, Handler][]) {
    implementation[verb] = (
      call: ServerUnaryCall<unknown, Wire>,
      callback: sendUnaryData<Wire>,
    ) => {
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
  return implementation;
}
