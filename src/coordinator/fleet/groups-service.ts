import type * as grpc from '@grpc/grpc-js';
import { CohortError, ErrorCode, toCohortError } from '../../core/errors.js';
import { checkName } from '../../core/names.js';
import type * as wire from '../../gen/cohort/v1/groups.js';
import type * as records from '../../gen/cohort/v1/records.js';
import { GroupsService } from '../../gen/cohort/v1/groups.js';
import { parseStoreLocation } from '../../store/location.js';
import type { GroupPolicy } from '../rules/policy.js';
import { authorizeVerb, identityOf, type Verb } from '../server/identity.js';
import type { Logger } from '../server/logger.js';
import { toStatusObject } from '../wire/status-map.js';
import {
  criuFromWire,
  nodeMemberToWire,
  policyFromWire,
  policyToWire,
  storedToWire,
} from '../wire/records.js';
import type { Fleet } from './fleet.js';
import type { OperationOutcome } from './outcome.js';

/** The Groups service: operators' verbs on whole groups, answered when the work is done. */
export function groupsService(
  fleet: Fleet,
  logger: Logger,
): { definition: typeof GroupsService; handlers: grpc.UntypedServiceImplementation } {
  const serve =
    <Req, Res>(
      verb: Verb,
      handler: (request: Req) => Promise<Res>,
    ): grpc.handleUnaryCall<Req, Res> =>
    (call, callback) => {
      const refuse = (error: unknown) => {
        const cohort = toCohortError(error);
        logger.warn({ verb, code: cohort.code, message: cohort.message }, 'request-refused');
        callback(toStatusObject(cohort));
      };
      try {
        authorizeVerb(identityOf(call), verb);
        handler(call.request).then((reply) => callback(null, reply), refuse);
      } catch (error) {
        refuse(error);
      }
    };
  const handlers = {
    checkpoint: serve('Checkpoint', async (r: wire.CheckpointRequest) => {
      const group = checkName(r.group, 'group', ErrorCode.BadMessage);
      if (r.store !== '') parseStoreLocation(r.store, 'store');
      return resultToWire(
        await fleet.checkpoint(group, criuFromWire(r.options), r.store || undefined),
      );
    }),
    restore: serve('Restore', async (r: wire.RestoreRequest) => {
      const group = checkName(r.group, 'group', ErrorCode.BadMessage);
      if (r.from !== '') parseStoreLocation(r.from, 'from');
      const outcome = await fleet.restore({
        group,
        options: criuFromWire(r.options),
        ...(r.from === '' ? {} : { from: r.from }),
        ...(r.epoch === undefined ? {} : { epoch: r.epoch }),
      });
      return resultToWire(outcome);
    }),
    setPolicy: serve('SetPolicy', async (r: wire.PolicyRequest) => {
      const group = checkName(r.group, 'group', ErrorCode.BadMessage);
      const current = await fleet.policy(group);
      const policy = checkPolicy(policyFromWire(r.policy ?? emptyPolicy(), r.fields, current));
      await fleet.setPolicy(group, policy);
      return groupView(fleet, group);
    }),
    show: serve('Show', (r: wire.GroupName) =>
      groupView(fleet, checkName(r.name, 'name', ErrorCode.BadMessage)),
    ),
    checkpoints: serve('Checkpoints', async (r: wire.CheckpointsRequest) => {
      const group = checkName(r.group, 'group', ErrorCode.BadMessage);
      const list = await fleet.storedCheckpoints(group);
      return {
        checkpoints: list.filter((c) => r.from === '' || c.location === r.from).map(storedToWire),
      };
    }),
    nodes: serve('Nodes', async () => ({
      nodes: fleet.registry.list().map((n) => ({
        name: n.name,
        connected: n.connected,
        engines: n.engines,
        lastSeen: n.lastSeen,
        members: n.members.map(nodeMemberToWire),
      })),
    })),
  };
  return {
    definition: GroupsService,
    handlers: handlers as unknown as grpc.UntypedServiceImplementation,
  };
}

async function groupView(fleet: Fleet, group: string): Promise<wire.GroupView> {
  const [policy, stored, recoveries] = await fleet.readGroup(group);
  const { state, busy } = fleet.schedule(group);
  const located = fleet.registry.membersOf(group);
  return {
    name: group,
    policy: policy === undefined ? undefined : policyToWire(policy),
    schedule: {
      ...(state?.lastSuccessAt === undefined ? {} : { lastSuccessAt: state.lastSuccessAt }),
      ...(state?.nextDueAt === undefined ? {} : { nextDueAt: state.nextDueAt }),
      consecutiveFailures: state?.consecutiveFailures ?? 0,
      skipped: state?.skipped ?? 0,
      lastFailure: state?.lastFailure ?? '',
      running: busy !== undefined,
    },
    members: located.map((l) => nodeMemberToWire(l.member)),
    nodes: Object.fromEntries(located.map((l) => [l.member.member, l.node])),
    latestStored: stored[0] === undefined ? undefined : storedToWire(stored[0]),
    recoveries: recoveries.map((r) => ({
      cause: r.cause,
      epoch: r.epoch ?? 0,
      startedAt: r.startedAt,
      ...(r.finishedAt === undefined ? {} : { finishedAt: r.finishedAt }),
      outcome: r.outcome,
      reason: r.reason ?? '',
      placements: r.placements,
    })),
  };
}

function resultToWire(o: OperationOutcome): wire.OperationResult {
  return {
    group: o.group,
    kind: o.kind,
    epoch: o.epoch,
    outcome: o.outcome,
    reason: o.reason ?? '',
    culprit: o.culprit ?? '',
    stored: o.stored === undefined ? undefined : storedToWire(o.stored),
    durationMs: o.durationMs,
    placements: o.placements,
    errorCode: o.errorCode ?? '',
  };
}

/** A policy is checked whole before it is recorded: each message names the setting and the fix. */
function checkPolicy(policy: GroupPolicy): GroupPolicy {
  const bad = (field: string, problem: string) =>
    new CohortError(ErrorCode.Argv, `${field}: ${problem}`, { details: { field } });
  if (policy.intervalMs !== undefined && policy.intervalMs < 1_000)
    throw bad('interval', `${policy.intervalMs} ms is under a second; give 1s or more`);
  if (!Number.isInteger(policy.keep) || policy.keep < 1)
    throw bad('keep', `${policy.keep} keeps nothing; give 1 or more (the latest is always kept)`);
  if (policy.onFailure !== 'restore' && policy.onFailure !== 'none')
    throw bad('on-failure', `"${String(policy.onFailure)}" is not restore or none`);
  if (policy.store !== undefined) parseStoreLocation(policy.store, 'store');
  if (policy.onFailure === 'restore' && policy.store === undefined) {
    throw bad('on-failure', 'restore needs a store to restore from; set --store too');
  }
  return policy;
}

function emptyPolicy(): records.GroupPolicy {
  return {
    store: '',
    keep: 0,
    onFailure: '',
    leaveRunning: false,
    tcpEstablished: false,
    fileLocks: false,
  };
}
