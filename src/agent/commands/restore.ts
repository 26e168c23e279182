import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CohortError, ErrorCode, toCohortError } from '../../core/errors.js';
import type { CriuOptions } from '../../engines/options.js';
import { removePodman, restorePodman } from '../../engines/podman/operate.js';
import { restoreRunc } from '../../engines/runc/operate.js';
import type { RestoreMembers, RestorePlacement } from '../../gen/cohort/v1/agent.js';
import type { StoredCheckpoint } from '../../store/index.js';
import { memberKey } from '../busy.js';
import { runcTarget } from '../engines.js';
import type { MemberFailure } from './checkpoint.js';
import { storeRecord } from './store-record.js';
import type { CommandContext } from './context.js';

/**
 * This node's part of a group restore: each member's archive is fetched from the store (its
 * digest checked as it streams), then restored through its engine, which joins the open restore
 * round: no member resumes until every member is restored.
 */
export async function restoreMembers(
  c: CommandContext,
  command: RestoreMembers,
): Promise<{ failure?: MemberFailure }> {
  const record = storeRecord(command.checkpoint);
  const options: CriuOptions = {
    leaveRunning: false,
    tcpEstablished: command.options?.tcpEstablished ?? false,
    fileLocks: command.options?.fileLocks ?? false,
  };
  const dir = join(c.o.workDir, 'restore', record.group, String(record.epoch));
  const results = await c.busy.around(
    command.members.map((p) => memberKey(record.group, p.member)),
    () =>
      Promise.all(
        command.members.map(async (placement) => {
          try {
            await one(c, record, placement, join(dir, placement.member), options);
            return {};
          } catch (error) {
            return { failure: { member: placement.member, error: toCohortError(error) } };
          }
        }),
      ),
  );
  const failure = results.find((r) => r.failure !== undefined)?.failure;
  return failure === undefined ? {} : { failure };
}

async function one(
  c: CommandContext,
  record: StoredCheckpoint,
  placement: RestorePlacement,
  dir: string,
  options: CriuOptions,
): Promise<void> {
  const store = c.stores.at(record.location);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true, mode: 0o700 });
  try {
    if (placement.engine === 'runc') {
      const archive = join(dir, 'archive');
      await store.fetchMember(record, placement.member, { dir: archive });
      const root = placement.runcRoot || (c.o.runcRoots[0] ?? '');
      await restoreRunc(
        runcTarget(c.o, root),
        placement.containerId || placement.member,
        archive,
        placement.bundle,
        options,
      );
      return;
    }
    const podman = c.o.podman;
    if (podman === undefined)
      throw new CohortError(
        ErrorCode.Engine,
        `node ${c.o.node} runs no podman to restore ${placement.member} with`,
      );
    // podman reads an archive three times: it must be a file, not a stream.
    const file = join(dir, `${placement.member}.tar.gz`);
    await store.fetchMember(record, placement.member, { file });
    if (placement.containerId !== '') await removePodman(podman, placement.containerId);
    await restorePodman(podman, file, options);
  } finally {
    // runc restores from the extracted images in place: they must stay while the container lives.
    if (placement.engine !== 'runc') await rm(dir, { recursive: true, force: true });
  }
}
