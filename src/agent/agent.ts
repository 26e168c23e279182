import { mkdirSync } from 'node:fs';
import { cohortVersion } from '../core/package-paths.js';
import { toCohortError } from '../core/errors.js';
import { nodeMemberToWire } from '../coordinator/wire/records.js';
import { startSessionHost } from '../runtime/host/session-host.js';
import type { AgentReport } from '../gen/cohort/v1/agent.js';
import { BusyMembers } from './busy.js';
import { runCommand } from './commands/run-command.js';
import type { CommandContext } from './commands/context.js';
import { enginesOf, listMembers } from './engines.js';
import { Inventory } from './inventory.js';
import { CoordinatorLink } from './link.js';
import type { AgentOptions } from './options.js';
import { Stores } from './stores.js';

export interface RunningAgent {
  stop(): void;
}

/**
 * A node agent: reports the node's group members and their deaths to the coordinator, carries
 * out what it asks on them (checkpoint and store, fetch and restore, publish, remove), and hosts
 * the sessions of this node's members for bin/cohort.
 */
export function startAgent(o: AgentOptions): RunningAgent {
  mkdirSync(o.workDir, { recursive: true, mode: 0o700 });
  const hosts = [...new Set(o.sessionStateDirs)].map((stateDir) =>
    startSessionHost({ stateDir, logger: o.logger, env: o.env }),
  );
  const busy = new BusyMembers();
  const inventoryReport = (): AgentReport => ({
    body: { $case: 'inventory', value: { members: inventory.members().map(nodeMemberToWire) } },
  });
  const link = new CoordinatorLink(
    o,
    () => [
      {
        body: {
          $case: 'hello',
          value: { node: o.node, engines: enginesOf(o), version: cohortVersion() },
        },
      },
      inventoryReport(),
    ],
    (command) => {
      o.logger.info({ command: command.commandId, work: command.body?.$case }, 'agent-command');
      void runCommand(context, command).then((result) => {
        if (!result.ok)
          o.logger.warn(
            { command: command.commandId, message: result.message },
            'agent-command-failed',
          );
        link.send({ body: { $case: 'result', value: result } });
      });
    },
  );
  const inventory = new Inventory(o, busy, {
    changed: () => link.send(inventoryReport()),
    died: (member, detail) => {
      o.logger.warn({ group: member.group, member: member.member, detail }, 'member-died');
      link.send({ body: { $case: 'died', value: { member: nodeMemberToWire(member), detail } } });
    },
  });
  const context: CommandContext = {
    o,
    stores: new Stores(o),
    busy,
    members: () => listMembers(o),
    refresh: () =>
      inventory
        .refresh()
        .catch((error: unknown) =>
          o.logger.warn({ message: toCohortError(error).message }, 'inventory-failed'),
        ),
  };
  return {
    stop() {
      inventory.stop();
      link.stop();
      for (const host of hosts) host.stop();
    },
  };
}
