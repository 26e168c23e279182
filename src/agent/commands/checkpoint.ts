import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CohortError, ErrorCode, toCohortError } from '../../core/errors.js';
import type { LocalMember } from '../../engines/engine.js';
import type { CriuOptions } from '../../engines/options.js';
import { checkpointPodman } from '../../engines/podman/operate.js';
import { checkpointRunc } from '../../engines/runc/operate.js';
import type { CheckpointMembers } from '../../gen/cohort/v1/agent.js';
import type { StoredMember } from '../../gen/cohort/v1/records.js';
import {
  makeConfigDump,
  makeExportFifo,
  makeRuncArchiveSource,
  type StoredMember as ArchiveStored,
} from '../../store/index.js';
import { memberKey } from '../busy.js';
import { runcTarget } from '../engines.js';
import { podmanAnnotations } from '../podman-facts.js';
import type { CommandContext } from './context.js';

export interface MemberFailure {
  member: string;
  error: CohortError;
}

/**
 * This node's part of a group checkpoint: every member at once, through its engine (each joins
 * the open round as cohort's runtime runs CRIU); with a store, each archive is streamed there as
 * it is written. Returns what was stored, or the first member that failed.
 */
export async function checkpointMembers(
  c: CommandContext,
  command: CheckpointMembers,
): Promise<{ stored: StoredMember[]; failure?: MemberFailure }> {
  const here = await c.members();
  const options: CriuOptions = {
    leaveRunning: command.options?.leaveRunning ?? false,
    tcpEstablished: command.options?.tcpEstablished ?? false,
    fileLocks: command.options?.fileLocks ?? false,
  };
  // Only a checkpoint that stops its members explains their stopping: with leave-running, a
  // member that stops meanwhile died, and must be reported as such.
  const stopping = options.leaveRunning ? [] : command.members;
  const results = await c.busy.around(
    stopping.map((m) => memberKey(command.group, m)),
    () =>
      Promise.all(
        command.members.map(async (name) => {
          const member = here.find((m) => m.group === command.group && m.member === name);
          try {
            if (member === undefined) {
              throw new CohortError(
                ErrorCode.NotFound,
                `member ${name} of group ${command.group} is not on node ${c.o.node}`,
                {
                  details: { group: command.group, member: name },
                },
              );
            }
            return { stored: await one(c, command, member, options) };
          } catch (error) {
            return { failure: { member: name, error: toCohortError(error) } };
          }
        }),
      ),
  );
  const failure = results.find((r) => r.failure !== undefined)?.failure;
  const stored = results.flatMap((r) => (r.stored === undefined ? [] : [r.stored]));
  return failure === undefined ? { stored } : { stored, failure };
}

async function one(
  c: CommandContext,
  command: CheckpointMembers,
  member: LocalMember,
  options: CriuOptions,
): Promise<StoredMember | undefined> {
  const store = command.store === '' ? undefined : c.stores.at(command.store);
  const target = { group: command.group, epoch: command.epoch, member: member.member };
  if (member.engine === 'podman') {
    const podman = c.o.podman;
    if (podman === undefined)
      throw new CohortError(ErrorCode.Engine, `node ${c.o.node} runs no podman`);
    if (store === undefined) {
      await checkpointPodman(podman, member.containerId, options);
      return undefined;
    }
    // podman writes its archive into a FIFO the store reads: streamed, never a second copy.
    const annotations = await podmanAnnotations(podman, member.containerId, c.o);
    const fifo = await makeExportFifo(c.o.workDir);
    try {
      const upload = store.putMember({ ...target, source: fifo.source, annotations });
      const engine = checkpointPodman(podman, member.containerId, options, fifo.path).catch(
        (error: unknown) => {
          fifo.abort(toCohortError(error));
          throw error;
        },
      );
      try {
        const [stored] = await Promise.all([upload, engine]);
        return facts(stored, member);
      } catch (error) {
        // The upload failed: podman still writes into the FIFO (open read-write itself, it never
        // sees the reader go); drained, it finishes and lets go of the container.
        const drain = fifo.drain();
        await engine.catch(() => undefined);
        drain.stop();
        throw error;
      }
    } finally {
      await fifo.remove();
    }
  }
  const root = member.runcRoot ?? '';
  const imageDir = join(
    c.o.workDir,
    'checkpoints',
    command.group,
    String(command.epoch),
    member.member,
  );
  await rm(imageDir, { recursive: true, force: true });
  await mkdir(imageDir, { recursive: true, mode: 0o700 });
  try {
    await checkpointRunc(runcTarget(c.o, root), member.containerId, options, imageDir);
    if (store === undefined) return undefined;
    const source = makeRuncArchiveSource({
      imageDir,
      specFile: join(member.bundle ?? '', 'config.json'),
      configDump: makeConfigDump({ id: member.containerId, checkpointedTime: new Date() }),
    });
    return facts(await store.putMember({ ...target, source }), member);
  } finally {
    // Once stored, the store holds it; without a store the images stay for a local restore.
    if (store !== undefined) await rm(imageDir, { recursive: true, force: true });
  }
}

/** The stored archive, with how the member ran: what its restore needs besides the archive. */
function facts(stored: ArchiveStored, member: LocalMember): StoredMember {
  return {
    ...stored,
    engine: member.engine,
    containerId: member.containerId,
    bundle: member.bundle ?? '',
    runcRoot: member.runcRoot ?? '',
  };
}
