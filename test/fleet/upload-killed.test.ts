import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.js';
import { startTestCoordinator, type TestCoordinator } from '../cli/support/coordinator.js';
import { cohortctl } from '../cli/support/run-cli.js';
import { realCriuTier } from '../criu/support/criu-tier.js';
import { podmanMissing, processesUsing } from '../helpers/podman.js';
import { registryMissing, startRegistry, type TestRegistry } from '../helpers/registry.js';
import { startAgentProcess, type AgentProcess } from './support/agent-process.js';
import { COUNTER, eventually, newGroup, waitForMembers } from './support/fleet.js';
import { startPodmanNode, type PodmanNode } from './support/podman-node.js';
import {
  expectOneLineError,
  expectRestores,
  listCheckpoints,
  storeCheckpoint,
} from './support/stored-group.js';

const tier = await realCriuTier(
  'an upload cut off by the death of its agent (podman)',
  podmanMissing() ?? registryMissing(),
);

describe.skipIf(tier.skip !== undefined)('an agent killed halfway through an upload', () => {
  let registry: TestRegistry;
  let coordinator: TestCoordinator;
  let node: PodmanNode;
  let dir: string;
  const agents: AgentProcess[] = [];
  beforeAll(async () => {
    registry = await startRegistry();
    coordinator = await startTestCoordinator({ metricsListen: '127.0.0.1:0' });
    node = await startPodmanNode(
      'node-a',
      coordinator.address,
      dirname(tier.skip === undefined ? tier.criu : ''),
      { agent: false },
    );
    dir = mkdtempSync(join(tmpdir(), 'cohort-killed-'));
  });
  afterAll(async () => {
    for (const agent of agents) await agent.stop();
    await node?.stop();
    await coordinator?.stop();
    await registry?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  const ctl = (argv: string[]) =>
    cohortctl(['--config', coordinator.configPath, ...argv], { env: node.podman.env });
  /** `cohortd agent` for node-a, a process of its own with one work dir across restarts. */
  const startAgent = () => {
    const agent = startAgentProcess({
      node: 'node-a',
      coordinator: coordinator.address,
      workDir: join(dir, 'work'),
      config: node.podman.env.COHORT_CONFIG ?? '',
      env: node.podman.env,
      logFile: join(dir, 'agent.log'),
      extraArgs: ['--no-store-tls-verify'],
    });
    agents.push(agent);
    return agent;
  };
  /** Bytes the registry has taken of the uploads under way into a repository. */
  const uploading = (repository: string) => {
    const uploads = join(
      registry.dataDir,
      'docker/registry/v2/repositories',
      repository,
      '_uploads',
    );
    let bytes = 0;
    for (const upload of readdirSync(uploads, { withFileTypes: true })) {
      if (upload.isDirectory()) bytes += statSync(join(uploads, upload.name, 'data')).size;
    }
    return bytes;
  };

  it('exit 11, committed but not stored; the previous checkpoint stays the latest, and restores once an agent is back', async () => {
    const first = startAgent();
    const group = newGroup();
    const fleet = { ctl, state: (name: string) => node.state(name) };
    // b carries 48 MB of random bytes in its root filesystem: its archive takes a while to push.
    const names = [
      await node.startMember(group, 'a', ['a', 'b']),
      await node.startMember(
        group,
        'b',
        ['a', 'b'],
        `head -c 48000000 /dev/urandom > /ballast; ${COUNTER}`,
      ),
    ];
    await waitForMembers(ctl, group, ['a', 'b']);
    const location = `oci://${registry.host}/cohort/${group}`;
    const stored = await storeCheckpoint(fleet, group, location);

    const checkpoint = ctl(['checkpoint', group, '--store', location]);
    await eventually(
      async () => (uploading(`cohort/${group}/b`) > 4 * 1024 * 1024 ? true : undefined),
      'the upload of b is under way',
    );
    const events = childrenOf(first.child.pid ?? 0).filter((pid) =>
      commandOf(pid).includes(' events '),
    );
    expect(events).toHaveLength(1);
    await first.kill();
    // The agent's podman events ends with it, even after SIGKILL: no watcher left per restart.
    await eventually(
      async () => (events.every((pid) => !alive(pid)) ? true : undefined),
      "the killed agent's podman events ends",
    );
    const result = await checkpoint;
    expectOneLineError(
      result,
      EXIT.notStored,
      new RegExp(
        `checkpoint of group ${group} permanent at epoch ${stored + 1} .*committed but not stored: node node-a's agent went away`,
      ),
    );
    const history = JSON.parse((await ctl(['history', group, '--json'])).stdout) as {
      epoch: number;
      outcome: string;
    }[];
    expect(history.map((r) => [r.epoch, r.outcome])).toEqual([
      [stored, 'stored'],
      [stored + 1, 'permanent'],
    ]);
    expect((await listCheckpoints({ ctl }, group)).map((c) => c.epoch)).toEqual([stored]);
    // status: the newest permanent checkpoint is the unstored one, and says so.
    const status = JSON.parse((await ctl(['status', group, '--json'])).stdout) as {
      groups: { lastPermanent?: { epoch: number; outcome: string } }[];
    };
    expect(status.groups[0]?.lastPermanent).toMatchObject({
      epoch: stored + 1,
      outcome: 'permanent',
    });
    const metrics = await (
      await fetch(`http://${coordinator.running.metricsAddress}/metrics`)
    ).text();
    for (const outcome of ['stored', 'permanent'])
      expect(metrics).toContain(
        `cohort_group_round_seconds_count{group="${group}",kind="checkpoint",outcome="${outcome}"} 1`,
      );
    // The registry's group index still names the previous epoch as latest.
    const tags = (await (await fetch(`${registry.url}/v2/cohort/${group}/tags/list`)).json()) as {
      tags: string[];
    };
    expect(tags.tags.sort()).toEqual([`epoch-${stored}`, 'latest']);

    const second = startAgent();
    await eventually(
      async () =>
        (await ctl(['nodes', '--json'])).stdout.includes('"connected":true') ? true : undefined,
      'the new agent connects',
    );
    await expectRestores(fleet, group, location, names);
    // The podman whose export the dead agent read was drained by the new one, and has ended.
    expect(second.log()).toMatch(/"count":[1-9],.*"msg":"agent-drained-leftover-exports"/);
    await eventually(
      async () =>
        processesUsing(join(dir, 'work', 'cohort-export-')).length === 0 ? true : undefined,
      "no podman is left writing into the dead agent's export",
      5_000,
    );
  });
});

function childrenOf(pid: number): number[] {
  const found = spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).stdout;
  return found.split('\n').filter(Boolean).map(Number);
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/** Running, or stopped: a zombie waiting for init to reap it has ended. */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}
