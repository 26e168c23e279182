import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectCoordinator, type CoordinatorClient } from '../../src/coordinator/client.js';
import { startCoordinator, type RunningCoordinator } from '../../src/coordinator/embedded.js';
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
    });

    afterAll(async () => {
      await containerd?.stop();
      process.env.PATH = savedPath;
      client?.close();
      await coordinator?.stop();
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
      if (containerd !== undefined) expect(shimPids(containerd.address)).toEqual([]);
    });

    /** `ctr run -d --runc-binary bin/cohort` of a group of one, with ctr's OCI annotations. */
    async function runMember(group: string, script: string): Promise<string> {
      const id = uniqueId('ctr');
      const annotations = [
        `${ANNOTATION.group}=${group}`,
        `${ANNOTATION.member}=solo`,
        `${ANNOTATION.size}=1`,
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

    it('checkpoints through cohort (pause, checkpoint --leave-running, resume): the round is permanent, the task runs on', async () => {
      const group = uniqueId('ctrg').replace(/-/g, '');
      const id = await runMember(group, COUNTER);
      const image = join(dir, `${id}-image`);
      const work = join(dir, `${id}-work`);
      const result = await containerd.ctr([
        'task',
        'checkpoint',
        '--image-path',
        image,
        '--work-path',
        work,
        id,
      ]);
      expect(result, result.stderr).toMatchObject({ exitCode: 0 });

      const manifest = JSON.parse(readFileSync(join(image, 'cohort-manifest.json'), 'utf8')) as {
        group: string;
        member: string;
        epoch: number;
      };
      expect(manifest).toMatchObject({ group, member: 'solo' });
      const round = (await client.history(group)).find((r) => r.epoch === manifest.epoch);
      expect(round).toMatchObject({ kind: 'checkpoint', outcome: 'permanent', members: ['solo'] });
      // CRIU ran cohort's hook at every frozen-window action it reached.
      expect(readFileSync(join(work, 'dump.log'), 'utf8')).toMatch(
        /Running post-dump scripts\n.*\n.*\[\S*criu-action\]/,
      );

      expect(await taskStatus(id)).toBe('RUNNING');
      expect(await containerFreezerState(containerd.runcRoot, id)).toBe('THAWED');
      const now = counterLog(id).last ?? 0;
      await waitForCount(id, now + 3);
      expect(isUnbroken(counterLog(id))).toBe(true);
    });

    it('fails the checkpoint when CRIU cannot dump the member: the round aborts, the task runs on', async () => {
      const group = uniqueId('ctrg').replace(/-/g, '');
      const id = await runMember(group, GHOST);
      const image = join(dir, `${id}-image`);
      const result = await containerd.ctr([
        'task',
        'checkpoint',
        '--image-path',
        image,
        '--work-path',
        join(dir, `${id}-work`),
        id,
      ]);
      expect(result.exitCode).not.toBe(0);
      // The shim reports CRIU's failure; cohort's own line is in the runtime log it keeps.
      expect(result.stderr).toContain('criu failed');
      expect(readFileSync(join(containerd.bundleOf(id), 'log.json'), 'utf8')).toMatch(
        new RegExp(`checkpoint of ${group}/solo (failed|aborted): .*runc checkpoint exited 1`),
      );
      expect(existsSync(join(image, 'cohort-manifest.json'))).toBe(false);
      expect((await client.history(group)).at(-1)).toMatchObject({
        kind: 'checkpoint',
        outcome: 'aborted',
        culprit: 'solo',
      });
      expect(await taskStatus(id)).toBe('RUNNING');
      expect((await containerState(containerd.runcRoot, id))?.status).toBe('running');
      expect(await containerFreezerState(containerd.runcRoot, id)).toBe('THAWED');
      const now = counterLog(id).last ?? 0;
      await waitForCount(id, now + 2);
    });
  },
);
