import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import type { ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUNTIME_ENTRY } from '../helpers/runc.js';
import { SERVICE_PATH, startNodeNamespace, type NodeNamespace } from './node/node-namespace.js';
import {
  AGENT_UNIT,
  COHORTD_UNIT,
  execStart,
  readUnit,
  serviceValue,
  unitEnvironment,
  type Unit,
} from './systemd/unit.js';

interface NodeView {
  name: string;
  connected: boolean;
  engines: string[];
}

const missing = existsSync(RUNTIME_ENTRY) ? undefined : `${RUNTIME_ENTRY} is not built`;

// No systemd runs here: each unit is started as systemd would, in a node installed as the docs say.
describe.skipIf(missing !== undefined)(
  'a single-node install: cohortd.service and cohort-agent.service',
  () => {
    const units = [readUnit(COHORTD_UNIT), readUnit(AGENT_UNIT)] as const;
    const logs = ['', ''];
    let node: NodeNamespace;
    let started: ResultPromise[] = [];

    /** What systemd does for a unit: its Runtime and StateDirectory made, ExecStart run with its env. */
    async function startUnit(unit: Unit, index: number): Promise<{ service: ResultPromise }> {
      for (const [key, root] of [
        ['RuntimeDirectory', '/run'],
        ['StateDirectory', '/var/lib'],
      ] as const) {
        const name = serviceValue(unit, key);
        const mode = serviceValue(unit, `${key}Mode`) ?? '0755';
        if (name !== undefined) await node.exec('mkdir', ['-p', '-m', mode, `${root}/${name}`]);
      }
      const [command = '', ...args] = execStart(unit);
      const service = node.spawn(command, args, { PATH: SERVICE_PATH, ...unitEnvironment(unit) });
      service.stderr?.on('data', (chunk: Buffer) => (logs[index] += chunk.toString()));
      // Wrapped: an async function returning the process itself would wait for it to end.
      return { service };
    }

    /** cohortctl nodes as an operator on the node runs it: default config, default socket. */
    async function nodes(): Promise<NodeView[]> {
      const result = await node.exec('/usr/local/bin/cohortctl', ['nodes', '--json'], {
        PATH: SERVICE_PATH,
      });
      return result.exitCode === 0 ? (JSON.parse(result.stdout) as NodeView[]) : [];
    }

    /** Asks until `check` holds, for at most 20 s. */
    async function until(check: (views: NodeView[]) => boolean): Promise<NodeView[]> {
      let views: NodeView[] = [];
      for (const end = Date.now() + 20_000; Date.now() < end;) {
        views = await nodes();
        if (check(views)) break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      return views;
    }

    beforeAll(async () => {
      node = await startNodeNamespace();
      started = [(await startUnit(units[0], 0)).service, (await startUnit(units[1], 1)).service];
    });

    afterAll(async () => {
      for (const service of started) service.kill('SIGTERM');
      await Promise.all(started);
      await node?.stop();
    });

    it("the agent reaches cohortd's socket and reports this host, with podman", async () => {
      const views = await until((all) => all.some((view) => view.connected));
      expect(views, logs.join('\n')).toMatchObject([
        { name: hostname(), connected: true, engines: ['podman'] },
      ]);
    });

    it("the agent hosts sessions in cohortd's /run/cohort, under its own pid", async () => {
      const pid = await node.exec('cat', ['/run/cohort/host/pid']);
      expect(pid.stdout.trim(), logs[1]).toBe(String(started[1]?.pid));
    });

    it('cohortd runs no agent of its own: with the agent stopped, the node is away', async () => {
      started[1]?.kill('SIGTERM');
      await started[1];
      const views = await until((all) => all.every((view) => !view.connected));
      expect(views, logs.join('\n')).toMatchObject([{ name: hostname(), connected: false }]);
    });
  },
);
