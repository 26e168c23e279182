import type { SessionHost } from '../../src/runtime/host/session-host.js';
import { startTestSessionHost } from '../helpers/session-host.js';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectCoordinator, type CoordinatorClient } from '../../src/coordinator/client.js';
import {
  startCoordinator,
  type RunningCoordinator,
} from '../../src/coordinator/start-coordinator.js';
import { silentLogger } from '../../src/coordinator/server/logger.js';
import { checkSequence, isUnbroken } from '../../src/demo/sequence.js';
import { ANNOTATION } from '../../src/spec/annotations.js';
import { containerFreezerState } from '../helpers/cgroup.js';
import {
  containerdMissing,
  shimPids,
  startContainerd,
  type Containerd,
} from '../helpers/containerd.js';
import { COHORT_BIN, containerState, uniqueId } from '../helpers/runc.js';
import { realCriuTier } from './support/criu-tier.js';
import { COUNTER } from './support/runc-group.js';

const tier = await realCriuTier('the real-CRIU containerd tier', containerdMissing());

/** A deleted 2 MiB file held open: over CRIU's ghost-file limit (1 MiB), so the dump fails. */
const GHOST = `dd if=/dev/zero of=/tmp/big bs=1M count=2 2>/dev/null; exec 3</tmp/big; rm /tmp/big; ${COUNTER}`;

describe.skipIf(tier.skip !== undefined)(
  'ctr task checkpoint of a group member run with --runc-binary bin/cohort, real CRIU',
  () => {
    const criu = tier.skip === undefined ? tier.criu : '';
    let dir: string;
    let coordinatorAddress: string;
    const savedPath = process.env.PATH;
    let coordinator: RunningCoordinator;
    let host: SessionHost | undefined;
    let client: CoordinatorClient;
    let containerd: Containerd;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'cohort-criu-containerd-'));
      coordinatorAddress = `unix://${join(dir, 'cohortd.sock')}`;
      coordinator = await startCoordinator({
        listen: [coordinatorAddress],
        stateDir: join(dir, 'cohortd'),
        deadlines: { joinMs: 20_000, readyMs: 20_000, dumpMs: 40_000 },
        logger: silentLogger,
      });
      client = await connectCoordinator({ address: coordinatorAddress, connectTimeoutMs: 5_000 });
      // The shim runs runc with containerd's environment, and runc finds CRIU in its PATH.
      process.env.PATH = `${dirname(criu)}:${savedPath ?? ''}`;
      containerd = await startContainerd();
      // The shim hands bin/cohort containerd's environment: the test containerd's cohort config.
      host = await startTestSessionHost(containerd.cohortStateDir);
    });

    afterAll(async () => {
      host?.stop();
      await containerd?.stop();
      process.env.PATH = savedPath;
      client?.close();
      await coordinator?.stop();
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
      if (containerd !== undefined) expect(shimPids(containerd.address)).toEqual([]);
    });

    const MEMBERS = ['m0', 'm1', 'm2'];

    /** `ctr run -d --runc-binary bin/cohort` of one member of a group of three, with ctr's OCI annotations. */
    async function runMember(group: string, member: string, script: string): Promise<string> {
      const id = uniqueId('ctr');
      const annotations = [
        `${ANNOTATION.group}=${group}`,
        `${ANNOTATION.member}=${member}`,
        `${ANNOTATION.members}=${MEMBERS.join(',')}`,
        // containerd's shims run with containerd's environment: the coordinator comes with the container.
        `${ANNOTATION.coordinator}=${coordinatorAddress}`,
      ];
      const started = await containerd.ctr([
        'run',
        '-d',
        '--null-io',
        '--runc-binary',
        COHORT_BIN,
        ...annotations.flatMap((a) => ['--annotation', a]),
        containerd.image,
        id,
        'sh',
        '-c',
        script,
      ]);
      expect(started, started.stderr).toMatchObject({ exitCode: 0 });
      await waitForCount(id, 2);
      return id;
    }

    function counterLog(id: string) {
      const path = join(containerd.bundleOf(id), 'rootfs', 'tmp', 'count');
      return checkSequence(existsSync(path) ? readFileSync(path, 'utf8') : '');
    }

    /** Waits (bounded) for the counter; a safety net, never an assertion. */
    async function waitForCount(id: string, value: number): Promise<void> {
      for (let attempt = 0; attempt < 300; attempt += 1) {
        if ((counterLog(id).last ?? 0) >= value) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`the counter of ${id} never reached ${value}`);
    }

    async function taskStatus(id: string): Promise<string | undefined> {
      const listed = await containerd.ctr(['task', 'ls']);
      return listed.stdout
        .split('\n')
        .find((line) => line.startsWith(`${id} `))
        ?.trim()
        .split(/\s+/)[2];
    }

    /** `ctr task checkpoint` of every member at once, as the shims of several nodes would run. */
    function checkpointAll(ids: readonly string[]) {
      return Promise.all(
        ids.map((id) =>
          containerd.ctr([
            'task',
            'checkpoint',
            '--image-path',
            join(dir, `${id}-image`),
            '--work-path',
            join(dir, `${id}-work`),
            id,
          ]),
        ),
      );
    }

    it('checkpoints a group of three through cohort (pause, checkpoint --leave-running, resume): one permanent round, every task runs on', async () => {
      const group = uniqueId('ctrg').replace(/-/g, '');
      const ids = await Promise.all(MEMBERS.map((member) => runMember(group, member, COUNTER)));
      const results = await checkpointAll(ids);
      for (const result of results) expect(result, result.stderr).toMatchObject({ exitCode: 0 });

      const manifests = ids.map(
        (id) =>
          JSON.parse(readFileSync(join(dir, `${id}-image`, 'cohort-manifest.json'), 'utf8')) as {
            group: string;
            member: string;
            epoch: number;
          },
      );
      expect(manifests.map((m) => m.member)).toEqual(MEMBERS);
      expect(new Set(manifests.map((m) => m.epoch)).size).toBe(1);
      const round = (await client.history(group)).find((r) => r.epoch === manifests[0]?.epoch);
      expect(round).toMatchObject({ kind: 'checkpoint', outcome: 'permanent' });
      expect([...(round?.members ?? [])].sort()).toEqual(MEMBERS);
      for (const id of ids) {
        // CRIU ran cohort's hook at every frozen-window action it reached.
        expect(readFileSync(join(dir, `${id}-work`, 'dump.log'), 'utf8')).toMatch(
          /Running post-dump scripts\n.*\n.*\[\S*criu-action\]/,
        );
        expect(await taskStatus(id)).toBe('RUNNING');
        expect(await containerFreezerState(containerd.runcRoot, id)).toBe('THAWED');
        const now = counterLog(id).last ?? 0;
        await waitForCount(id, now + 3);
        expect(isUnbroken(counterLog(id))).toBe(true);
      }
    });

    it('fails every member when CRIU cannot dump one: the round aborts, every task runs on', async () => {
      const group = uniqueId('ctrg').replace(/-/g, '');
      const ids = await Promise.all(
        MEMBERS.map((member) => runMember(group, member, member === 'm1' ? GHOST : COUNTER)),
      );
      const results = await checkpointAll(ids);
      for (const result of results) expect(result.exitCode).not.toBe(0);
      const ghost = ids[1] ?? '';
      // The shim reports CRIU's failure; cohort's own line is in the runtime log it keeps.
      expect(results[1]?.stderr).toContain('criu failed');
      expect(readFileSync(join(containerd.bundleOf(ghost), 'log.json'), 'utf8')).toMatch(
        new RegExp(`checkpoint of ${group}/m1 (failed|aborted): .*runc checkpoint exited 1`),
      );
      expect(readFileSync(join(containerd.bundleOf(ids[0] ?? ''), 'log.json'), 'utf8')).toMatch(
        new RegExp(`checkpoint of ${group}/m0 aborted \\(culprit ${group}/m1\\): member m1 `),
      );
      expect((await client.history(group)).at(-1)).toMatchObject({
        kind: 'checkpoint',
        outcome: 'aborted',
        culprit: 'm1',
      });
      for (const id of ids) {
        expect(existsSync(join(dir, `${id}-image`, 'cohort-manifest.json'))).toBe(false);
        expect(await taskStatus(id)).toBe('RUNNING');
        expect((await containerState(containerd.runcRoot, id))?.status).toBe('running');
        expect(await containerFreezerState(containerd.runcRoot, id)).toBe('THAWED');
        const now = counterLog(id).last ?? 0;
        await waitForCount(id, now + 2);
      }
    });
  },
);
