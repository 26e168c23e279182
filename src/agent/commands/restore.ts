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

/** A member's archive on this node, fetched and its digest checked: what its engine restores from. */
interface Fetched {
  placement: RestorePlacement;
  dir: string;
  /** runc: the extracted archive (checkpoint/ in it); podman: the .tar.gz file. */
  archive: string;
}

/**
 * This node's part of a group restore: every member's archive is fetched from the store (its
 * digest checked as it streams) before any member is restored, so a damaged or missing archive
 * fails the restore with nothing started; then each member is restored through its engine,
 * which joins the open restore round: no member resumes until every member is restored.
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
  return c.busy.around(
    command.members.map((p) => memberKey(record.group, p.member)),
    async () => {
      const fetched = await eachMember(
        command.members,
        (p) => p.member,
        (p) => fetchOne(c, record, p, join(dir, p.member)),
      );
      if (fetched.failure !== undefined) {
        await Promise.all(fetched.done.map((f) => rm(f.dir, { recursive: true, force: true })));
        return { failure: fetched.failure };
      }
      const restored = await eachMember(
        fetched.done,
        (f) => f.placement.member,
        (f) => restoreOne(c, f, options),
      );
      return restored.failure === undefined ? {} : { failure: restored.failure };
    },
  );
}

/** Runs `work` for every member at once: what it gave, and the first member that failed. */
async function eachMember<T, R>(
  items: readonly T[],
  memberOf: (item: T) => string,
  work: (item: T) => Promise<R>,
): Promise<{ done: R[]; failure?: MemberFailure }> {
  const done: R[] = [];
  const failures: MemberFailure[] = [];
  await Promise.all(
    items.map((item) =>
      work(item).then(
        (value) => void done.push(value),
        (error: unknown) =>
          void failures.push({ member: memberOf(item), error: toCohortError(error) }),
      ),
    ),
  );
  return failures[0] === undefined ? { done } : { done, failure: failures[0] };
}

async function fetchOne(
  c: CommandContext,
  record: StoredCheckpoint,
  placement: RestorePlacement,
  dir: string,
): Promise<Fetched> {
  if (placement.engine !== 'runc' && c.o.podman === undefined) {
    throw new CohortError(
      ErrorCode.Engine,
      `node ${c.o.node} runs no podman to restore ${placement.member} with`,
    );
  }
  const store = c.stores.at(record.location);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true, mode: 0o700 });
  try {
    if (placement.engine === 'runc') {
      const archive = join(dir, 'archive');
      await store.fetchMember(record, placement.member, { dir: archive });
      return { placement, dir, archive };
    }
    // podman reads an archive three times: it must be a file, not a stream.
    const archive = join(dir, `${placement.member}.tar.gz`);
    await store.fetchMember(record, placement.member, { file: archive });
    return { placement, dir, archive };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

async function restoreOne(c: CommandContext, f: Fetched, options: CriuOptions): Promise<void> {
  const { placement } = f;
  if (placement.engine === 'runc') {
    // runc restores from the extracted images in place: they stay while the container lives.
    const root = placement.runcRoot || (c.o.runcRoots[0] ?? '');
    await restoreRunc(
      runcTarget(c.o, root),
      placement.containerId || placement.member,
      f.archive,
      placement.bundle,
      options,
    );
    return;
  }
  const podman = c.o.podman;
  try {
    if (podman === undefined)
      throw new CohortError(ErrorCode.Engine, `node ${c.o.node} runs no podman`);
    if (placement.containerId !== '') await removePodman(podman, placement.containerId);
    await restorePodman(podman, f.archive, options);
  } finally {
    await rm(f.dir, { recursive: true, force: true });
  }
}
