import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeCriu } from '../../src/criu/probe.js';
import { podmanMissing } from '../helpers/podman.js';
import { RUNTIME_ENTRY, uniqueId } from '../helpers/runc.js';
import {
  createCohortPodman,
  podmanAnnotation,
  type CohortPodman,
} from './support/cohort-podman.js';
import { startTestCoordinator, type TestCoordinator } from './support/coordinator.js';
import { cohortctl } from './support/run-cli.js';

const missing =
  podmanMissing() ?? (existsSync(RUNTIME_ENTRY) ? undefined : `${RUNTIME_ENTRY} is not built`);
const criu = missing === undefined ? await probeCriu() : { rejected: [] };
const why =
  missing ??
  (criu.usable === undefined ? `no usable CRIU (${criu.rejected.join('; ')})` : undefined);
if (why !== undefined)
  console.log(`skipping cohortctl group checkpoint/restore through podman: ${why}`);

/** A counter that changes ten times a second: a restored member resumes from its checkpoint. */
const COUNTER = 'i=0; while :; do i=$((i+1)); echo $i > /tmp/count; sleep 0.1; done';

describe.skipIf(why !== undefined)('cohortctl checkpoint and restore of a podman group', () => {
  let coordinator: TestCoordinator;
  let podman: CohortPodman;
  let exports: string;
  const group = uniqueId('pair').replace(/-/g, '');
  const names = { a: `${group}-a`, b: `${group}-b` };
  const ctl = (argv: string[]) =>
    cohortctl(['--config', coordinator.configPath, ...argv], { env: podman.env });
  const podmanArg = '--podman-arg=--runtime=cohort';
  /**
   * podman runs a runtime's checkpoint with only PATH and XDG_RUNTIME_DIR, so COHORT_CONFIG never
   * reaches it there: the coordinator travels with each container, in its annotations.
   */
  const groupAnnotations = (name: string, member: string, members: string) => [
    `io.cohort.group=${name}`,
    `io.cohort.member=${member}`,
    `io.cohort.group.members=${members}`,
    `io.cohort.coordinator=${coordinator.address}`,
  ];
  const state = async (name: string) =>
    (
      await podman.podman(['container', 'inspect', '--format', '{{.State.Status}}', name])
    ).stdout.trim();

  async function startMember(
    member: string,
    name: string,
    command = COUNTER,
    inGroup = group,
    members = 'a,b',
  ) {
    const annotations = groupAnnotations(inGroup, member, members);
    const result = await podman.podman([
      '--runtime',
      'cohort',
      'run',
      '-d',
      '--name',
      name,
      ...annotations.flatMap((a) => ['--annotation', podmanAnnotation(a)]),
      podman.image,
      'sh',
      '-c',
      command,
    ]);
    expect(result.exitCode, result.stderr).toBe(0);
  }

  beforeAll(async () => {
    coordinator = await startTestCoordinator();
    podman = await createCohortPodman({
      coordinator: coordinator.address,
      criuDir: dirname(criu.usable?.path ?? ''),
    });
    exports = mkdtempSync(join(tmpdir(), 'cohortctl-exports-'));
    await startMember('a', names.a);
    await startMember('b', names.b);
  });

  afterAll(async () => {
    await podman?.cleanup();
    await coordinator?.stop();
    if (exports !== undefined) rmSync(exports, { recursive: true, force: true });
  });

  let firstEpoch = 0;
  // The containers are gone by then: restore recreates them from the exported archives.
  const restoreImported = (epoch: number, ...extra: string[]) =>
    ctl(['restore', group, '--import', exports, '--epoch', String(epoch), ...extra]);

  it('checkpoints every member together, exporting one archive per member', async () => {
    const result = await ctl(['checkpoint', group, '--export', exports, podmanArg]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const summary = /checkpoint of group \S+: (committed|permanent) at epoch (\d+)/.exec(
      result.stdout,
    );
    expect(summary, result.stdout).not.toBeNull();
    firstEpoch = Number(summary?.[2]);
    expect(result.stdout).toMatch(/^ {2}a +\S+ +\S+ .*-> ok$/m);
    expect(readdirSync(exports).sort()).toEqual(['a.tar.gz', 'b.tar.gz']);
    expect([await state(names.a), await state(names.b)]).toEqual(['exited', 'exited']);
  });

  it('records the round: history and status show it permanent, with each member', async () => {
    const history = JSON.parse((await ctl(['history', group, '--json'])).stdout) as {
      epoch: number;
      kind: string;
      outcome: string;
      members: string[];
    }[];
    const round = history.find((r) => r.epoch === firstEpoch);
    expect(round).toMatchObject({ kind: 'checkpoint', outcome: 'permanent' });
    expect([...(round?.members ?? [])].sort()).toEqual(['a', 'b']);
    const status = await ctl(['status', group]);
    expect(status.stdout).toContain(`last permanent checkpoint: epoch ${firstEpoch} at `);
  });

  it('restores the group in place from that checkpoint', async () => {
    const result = await ctl(['restore', group, '--epoch', String(firstEpoch), podmanArg]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`restoring checkpoint epoch ${firstEpoch}`);
    expect([await state(names.a), await state(names.b)]).toEqual(['running', 'running']);
  });

  it('restores the group from the exported archives after the containers are gone', async () => {
    await podman.podman(['rm', '--force', '--time', '0', names.a, names.b]);
    const result = await restoreImported(firstEpoch, podmanArg);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect([await state(names.a), await state(names.b)]).toEqual(['running', 'running']);
  });

  it('refuses an epoch the images do not hold, exit 4', async () => {
    await podman.podman(['rm', '--force', '--time', '0', names.a, names.b]);
    const result = await restoreImported(firstEpoch + 1000);
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/hold checkpoint epoch \d+, not \d+/);
  });

  it('fails the whole group when one member cannot be dumped: culprit named, exit 1, every member still running', async () => {
    const failing = uniqueId('fail').replace(/-/g, '');
    const start = (member: string, command: string) =>
      startMember(member, `${failing}-${member}`, command, failing, 'ok,ghost');
    await start('ok', COUNTER);
    // A deleted file of 2 MiB held open: over CRIU's ghost-file limit (1 MiB), so its dump fails.
    await start(
      'ghost',
      'dd if=/dev/zero of=/tmp/big bs=1M count=2 2>/dev/null; exec 3</tmp/big; rm /tmp/big; sleep 600',
    );
    const result = await ctl(['checkpoint', failing, podmanArg]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(
        `^cohortctl: checkpoint of group ${failing} failed at epoch \\d+: culprit ghost: [^\\n]+\\n$`,
      ),
    );
    expect([await state(`${failing}-ok`), await state(`${failing}-ghost`)]).toEqual([
      'running',
      'running',
    ]);
    const history = JSON.parse((await ctl(['history', failing, '--json'])).stdout) as {
      outcome: string;
      culprit?: string;
    }[];
    expect(history.at(-1)).toMatchObject({ outcome: 'aborted', culprit: 'ghost' });
  });
});
