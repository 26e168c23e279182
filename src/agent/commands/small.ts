import { removePodman } from '../../engines/podman/operate.js';
import { removeRunc } from '../../engines/runc/operate.js';
import type { PublishCheckpoint, ReadCheckpoint, StopMembers } from '../../gen/cohort/v1/agent.js';
import type { StoredCheckpoint as WireCheckpoint } from '../../gen/cohort/v1/records.js';
import { storeRecord } from './store-record.js';
import { memberKey } from '../busy.js';
import { runcTarget } from '../engines.js';
import type { CommandContext } from './context.js';

/** The store's commit point for a group checkpoint, then retention; returns the epochs deleted. */
export async function publishCheckpoint(
  c: CommandContext,
  command: PublishCheckpoint,
): Promise<number[]> {
  const record = storeRecord(command.checkpoint);
  const store = c.stores.at(record.location);
  await store.putCheckpoint(record);
  return store.prune(record.group, Math.max(1, command.keep));
}

/** The group's containers on this node, removed (a restore puts new ones in their place). */
export async function stopMembers(c: CommandContext, command: StopMembers): Promise<void> {
  const here = (await c.members()).filter(
    (m) => m.group === command.group && command.members.includes(m.member),
  );
  await c.busy.around(
    here.map((m) => memberKey(m.group, m.member)),
    () =>
      Promise.all(
        here.map((m) =>
          m.engine === 'podman' && c.o.podman !== undefined
            ? removePodman(c.o.podman, m.containerId)
            : removeRunc(runcTarget(c.o, m.runcRoot ?? ''), m.containerId),
        ),
      ),
  );
}

/** A group's stored checkpoint as the store itself has it. */
export async function readCheckpoint(
  c: CommandContext,
  command: ReadCheckpoint,
): Promise<WireCheckpoint> {
  const record = await c.stores.at(command.location).get(command.group, command.epoch);
  return {
    ...record,
    members: record.members.map((m) => ({
      ...m,
      engine: '',
      containerId: '',
      bundle: '',
      runcRoot: '',
    })),
  };
}
