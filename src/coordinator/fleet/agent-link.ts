import type { ServerDuplexStream } from '@grpc/grpc-js';
import { CohortError, ErrorCode, toCohortError } from '../../core/errors.js';
import { isValidName } from '../../core/names.js';
import type { AgentCommand, AgentReport } from '../../gen/cohort/v1/agent.js';
import { identityOf, NODE_CN_PREFIX, type Identity } from '../server/identity.js';
import type { Logger } from '../server/logger.js';
import type { EngineName, NodeMember } from '../types.js';
import type { Malformed } from '../wire/checks.js';
import { nodeMemberFromWire } from '../wire/records.js';
import { toStatusObject } from '../wire/status-map.js';
import type { AgentRegistry, AgentSink } from './agents.js';

/**
 * A node agent's stream: its first message names the node, which its certificate must be for
 * (CN node:NAME); then inventory, deaths, results and heartbeats flow in, and commands out.
 */
export function handleAgentLink(
  registry: AgentRegistry,
  logger: Logger,
  call: ServerDuplexStream<AgentReport | Malformed, AgentCommand>,
): void {
  let node: string | undefined;
  let ended = false;
  const sink: AgentSink = {
    send: (command) => {
      if (!ended) call.write(command);
    },
    close: (why) => refuse(new CohortError(ErrorCode.Unreachable, why)),
  };
  const refuse = (error: CohortError): void => {
    if (ended) return;
    ended = true;
    logger.warn({ node, code: error.code, message: error.message }, 'agent-refused');
    call.emit('error', toStatusObject(error));
    if (node !== undefined) registry.disconnect(node, sink, error.message);
  };
  let identity: Identity;
  try {
    identity = identityOf(call);
  } catch (error) {
    refuse(toCohortError(error));
    return;
  }
  call.on('data', (report: AgentReport | Malformed) => {
    if (ended || !('body' in report)) return;
    const body = report.body;
    if (node === undefined) {
      if (body?.$case !== 'hello')
        return refuse(
          new CohortError(ErrorCode.Protocol, 'an agent must say hello (its node) first'),
        );
      try {
        node = checkNode(identity, body.value.node);
      } catch (error) {
        return refuse(toCohortError(error));
      }
      registry.connect(node, engines(body.value.engines), sink);
      logger.info(
        { node, engines: body.value.engines, version: body.value.version },
        'agent-connected',
      );
      return;
    }
    registry.seen(node);
    switch (body?.$case) {
      case 'inventory':
        registry.inventory(node, members(body.value.members));
        return;
      case 'died': {
        const member =
          body.value.member === undefined ? undefined : nodeMemberFromWire(body.value.member);
        if (member !== undefined) registry.died(node, member, body.value.detail);
        return;
      }
      case 'result':
        registry.result(node, body.value);
        return;
    }
  });
  const gone = (why: string) => () => {
    ended = true;
    if (node !== undefined) {
      registry.disconnect(node, sink, why);
      logger.warn({ node, why }, 'agent-disconnected');
    }
  };
  call.on('end', () => {
    gone('its stream ended')();
    if (!call.writableEnded) call.end();
  });
  call.on('cancelled', gone('the stream was cancelled (connection lost)'));
  call.on('error', (error: Error) => gone(`stream error: ${error.message}`)());
}

/** The node an agent may speak for: its certificate's, or any on a trusted socket. */
function checkNode(identity: Identity, claimed: string): string {
  if (!isValidName(claimed)) {
    throw new CohortError(
      ErrorCode.BadMessage,
      `hello.node: ${JSON.stringify(claimed)} is not a node name`,
    );
  }
  if (identity.kind === 'trusted' || (identity.kind === 'node' && identity.name === claimed))
    return claimed;
  const holder =
    identity.kind === 'node'
      ? `${NODE_CN_PREFIX}${identity.name}`
      : identity.kind === 'member'
        ? identity.name
        : identity.kind;
  throw new CohortError(
    ErrorCode.Permission,
    `an agent for node ${claimed} needs a certificate with CN ${NODE_CN_PREFIX}${claimed}; this one is CN=${holder}`,
    { details: { node: claimed } },
  );
}

function engines(names: readonly string[]): EngineName[] {
  return names.filter((name): name is EngineName => name === 'podman' || name === 'runc');
}

function members(list: Parameters<typeof nodeMemberFromWire>[0][]): NodeMember[] {
  return list.map(nodeMemberFromWire).filter((m): m is NodeMember => m !== undefined);
}
