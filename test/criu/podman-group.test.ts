import type { SessionHost } from '../../src/runtime/host/session-host.js';
import { cohortDefaultStateDir } from '../helpers/cohort-state.js';
import { startTestSessionHost } from '../helpers/session-host.js';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectCoordinator, type CoordinatorClient } from '../../src/coordinator/client.js';
import {
  startCoordinator,
  type RunningCoordinator,
} from '../../src/coordinator/start-coordinator.js';
import { silentLogger } from '../../src/coordinator/server/logger.js';
import { isUnbroken } from '../../src/demo/sequence.js';
import { podmanMissing, type PodmanEnv } from '../helpers/podman.js';
import type { RunResult } from '../helpers/run.js';
import { uniqueId } from '../helpers/runc.js';
import { realCriuTier } from './support/criu-tier.js';
import {
  checkpointManifest,
  containerStatus,
  counterLog,
  createCriuPodman,
  failureText,
  memberAnnotations,
  runMember,
  waitForCount,
} from './support/podman-group.js';
import { COUNTER } from './support/runc-group.js';

const tier = await realCriuTier('the real-CRIU podman group tier', podmanMissing());

/** Port of a TCP connection a member keeps open to itself over its own loopback. */
const PORT = 7000;
/**
 * The counter, once the member holds one established TCP connection to itself over its own
 * loopback: CRIU refuses to dump that without --tcp-established. busybox nc -l listens on ::
 * (so /proc/net/tcp6), and each nc ends at EOF on its stdin: a sleep that never ends feeds both.
 */
const COUNTER_WITH_CONNECTION = [
  `sleep 2147483647 | nc -l -p ${PORT} > /dev/null &`,
  `while ! grep -q ':${PORT.toString(16).toUpperCase()} .* 0A ' /proc/net/tcp6; do sleep 0.05; done`,
  `sleep 2147483647 | nc 127.0.0.1 ${PORT} &`,
  `while ! grep -q ':${PORT.toString(16).toUpperCase()} .* 01 ' /proc/net/tcp6; do sleep 0.05; done`,
  COUNTER,
].join('\n');

describe.skipIf(tier.skip !== undefined)(
  'three podman containers in one group, checkpointed by plain podman, real CRIU',
  () => {
    const criu = tier.skip === undefined ? tier.criu : '';
    let dir: string;
    let coordinatorAddress: string;
    let coordinator: RunningCoordinator;
    let host: SessionHost | undefined;
    let client: CoordinatorClient;
    let podman: PodmanEnv;
    const group = uniqueId('pod').replace(/-/g, '');
    const memberNames = ['m0', 'm1', 'm2'];
    const names = memberNames.map((m) => `${group}-${m}`);
    const statuses = () => Promise.all(names.map((name) => containerStatus(podman, name)));

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'cohort-criu-podman-'));
      coordinatorAddress = `unix://${join(dir, 'cohortd.sock')}`;
      coordinator = await startCoordinator({
        listen: [coordinatorAddress],
        stateDir: join(dir, 'cohortd'),
        deadlines: { joinMs: 30_000, readyMs: 30_000, dumpMs: 60_000, restoreMs: 60_000 },
        logger: silentLogger,
      });
      client = await connectCoordinator({ address: coordinatorAddress, connectTimeoutMs: 5_000 });
      podman = await createCriuPodman(criu);
      // conmon and the shim give bin/cohort no COHORT_CONFIG: the default config's state dir.
      host = await startTestSessionHost(cohortDefaultStateDir());
      for (const [index, name] of names.entries()) {
        const member = memberNames[index] ?? '';
        await runMember(
          podman,
          name,
          memberAnnotations(group, member, memberNames, coordinatorAddress),
          COUNTER,
        );
      }
      for (const name of names) await waitForCount(podman, name, 2);
    });

    afterAll(async () => {
      host?.stop();
      await podman?.cleanup();
      client?.close();
      await coordinator?.stop();
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    });

    let beforeCheckpoint: number[] = [];

    it('checkpoints all three with concurrent `podman container checkpoint`: one permanent epoch', async () => {
      beforeCheckpoint = await Promise.all(
        names.map(async (name) => (await counterLog(podman, name)).last ?? 0),
      );
      const results = await Promise.all(
        names.map((name) => podman.podman(['container', 'checkpoint', name])),
      );
      for (const result of results) expect(result.exitCode, failureText(result)).toBe(0);
      expect(await statuses()).toEqual(['exited', 'exited', 'exited']);

      const manifests = await Promise.all(names.map((name) => checkpointManifest(podman, name)));
      expect(manifests.map((m) => m?.member)).toEqual(memberNames);
      const epochs = new Set(manifests.map((m) => m?.epoch));
      expect(epochs.size).toBe(1);
      const round = (await client.history(group)).find((r) => r.epoch === manifests[0]?.epoch);
      expect(round).toMatchObject({ kind: 'checkpoint', outcome: 'permanent' });
    });

    it('restores all three with concurrent `podman container restore`: running, counters continue unbroken', async () => {
      const results = await Promise.all(
        names.map((name) => podman.podman(['container', 'restore', name])),
      );
      for (const result of results) expect(result.exitCode, failureText(result)).toBe(0);
      expect(await statuses()).toEqual(['running', 'running', 'running']);
      for (const [index, name] of names.entries()) {
        await waitForCount(podman, name, (beforeCheckpoint[index] ?? 0) + 5);
        const log = await counterLog(podman, name);
        expect(isUnbroken(log), `${name}: ${JSON.stringify(log)}`).toBe(true);
      }
      expect((await client.history(group)).at(-1)).toMatchObject({
        kind: 'restore',
        outcome: 'permanent',
      });
    });

    let failedCheckpoints: RunResult[] = [];

    it('fails every member when CRIU refuses one (an established TCP connection, no --tcp-established): all keep running', async () => {
      const failing = uniqueId('tcp').replace(/-/g, '');
      const failingNames = memberNames.map((m) => `${failing}-${m}`);
      for (const [index, name] of failingNames.entries()) {
        const member = memberNames[index] ?? '';
        await runMember(
          podman,
          name,
          memberAnnotations(failing, member, memberNames, coordinatorAddress),
          member === 'm1' ? COUNTER_WITH_CONNECTION : COUNTER,
        );
      }
      for (const name of failingNames) await waitForCount(podman, name, 2);

      const results = await Promise.all(
        failingNames.map((name) => podman.podman(['container', 'checkpoint', name])),
      );
      failedCheckpoints = results;
      for (const result of results) expect(result.exitCode).not.toBe(0);
      for (const index of [0, 2]) {
        expect(failureText(results[index]!)).toContain(
          `aborted (culprit ${failing}/m1): member m1 `,
        );
      }
      // The culprit's CRIU says why, in the dump.log podman keeps beside the container's config.
      expect(
        readFileSync(join(await podman.bundleOf(failingNames[1]!), 'dump.log'), 'utf8'),
      ).toMatch(/Connected TCP socket, consider using --tcp-established option/);
      expect(await Promise.all(failingNames.map((name) => containerStatus(podman, name)))).toEqual([
        'running',
        'running',
        'running',
      ]);
      for (const name of failingNames) {
        const now = (await counterLog(podman, name)).last ?? 0;
        await waitForCount(podman, name, now + 2);
      }
      expect((await client.history(failing)).at(-1)).toMatchObject({
        kind: 'checkpoint',
        outcome: 'aborted',
        culprit: 'm1',
      });
    });

    it("gives each member's caller the culprit's reason on one readable line", () => {
      expect(failedCheckpoints).toHaveLength(3);
      for (const result of failedCheckpoints) {
        // runc's own lines keep logrus quoting; cohort's line is for people.
        const line = failureText(result)
          .split('\n')
          .find((l) => l.startsWith('cohort: '));
        expect(line).toMatch(/criu failed: type NOTIFY errno 0; log file: \/\S+\/dump\.log$/);
      }
    });
  },
);
