import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startCoordinator,
  type RunningCoordinator,
} from '../../src/coordinator/start-coordinator.js';
import { REPO_ROOT, RUNTIME_ENTRY, run } from '../helpers/runc.js';
import { findObject, type KubeObject } from './kubernetes/manifests.js';
import { SERVICE_PATH, startNodeNamespace, type NodeNamespace } from './node/node-namespace.js';
import { readConfigFile } from './paths.js';

interface Container {
  command: string[];
  args: string[];
  env: { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
}
const daemonSet = findObject<
  KubeObject & { spec: { template: { spec: { containers: Container[] } } } }
>('kubernetes/agent.yaml', 'DaemonSet');
const container = daemonSet.spec.template.spec.containers[0]!;
const NODE_NAME = 'worker-1';
const config = JSON.parse(readConfigFile('cohort.example.json')) as {
  coordinator: { address: string; tls: { ca: string; cert: string; key: string } };
};

/** The container's env as the kubelet sets it on node worker-1, with the image's PATH. */
function containerEnv(): Record<string, string> {
  const env: Record<string, string> = { PATH: SERVICE_PATH, HOME: '/root' };
  for (const variable of container.env) {
    const field = variable.valueFrom?.fieldRef?.fieldPath;
    env[variable.name] = field === 'spec.nodeName' ? NODE_NAME : (variable.value ?? '');
  }
  return env;
}

/**
 * The container's command line as the kubelet runs it: $(VAR) expanded from its env. Two things
 * differ here, and only these: the node's PID 1 is the test's node namespace, and cohortd's
 * cluster IP, unroutable here, is the test coordinator's address.
 */
function commandLine(pid: number, coordinator: string): string[] {
  const env = containerEnv();
  const words = [...container.command, ...container.args];
  for (const word of ['--target=1', `--coordinator=${config.coordinator.address}`])
    if (!words.includes(word)) throw new Error(`the DaemonSet's command has no ${word}`);
  return words
    .map((word) => word.replaceAll(/\$\((\w+)\)/g, (_all, name: string) => env[name] ?? ''))
    .map((word) => (word === '--target=1' ? `--target=${pid}` : word))
    .map((word) =>
      word === `--coordinator=${config.coordinator.address}`
        ? `--coordinator=${coordinator}`
        : word,
    );
}

const missing = existsSync(RUNTIME_ENTRY) ? undefined : `${RUNTIME_ENTRY} is not built`;

describe.skipIf(missing !== undefined)("the agent DaemonSet's command on a node", () => {
  let dir: string;
  let node: NodeNamespace;
  let coordinator: RunningCoordinator;
  let agent: ResultPromise;
  let ctlConfig: string;
  let log = '';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cohort-k8s-agent-'));
    const pki = join(dir, 'pki');
    const made = await run(join(REPO_ROOT, 'bin', 'cohortctl'), [
      'pki',
      'init',
      pki,
      '--node',
      NODE_NAME,
    ]);
    expect(made.exitCode, made.stderr).toBe(0);
    coordinator = await startCoordinator({
      listen: ['127.0.0.1:0'],
      stateDir: join(dir, 'state'),
      tls: {
        ca: join(pki, 'ca.crt'),
        cert: join(pki, 'cohortd.crt'),
        key: join(pki, 'cohortd.key'),
      },
    });
    ctlConfig = join(dir, 'admin.json');
    writeFileSync(
      ctlConfig,
      JSON.stringify({
        coordinator: {
          address: coordinator.addresses[0],
          tls: {
            ca: join(pki, 'ca.crt'),
            cert: join(pki, 'admin.crt'),
            key: join(pki, 'admin.key'),
          },
        },
      }),
    );
    // The node as installed: the cohort config and, where it names them, the node's TLS files.
    node = await startNodeNamespace();
    const example = join(REPO_ROOT, 'config', 'cohort.example.json');
    await node.install(example, '/etc/cohort/config.json', '0644');
    const { ca, cert, key } = config.coordinator.tls;
    await node.install(join(pki, 'ca.crt'), ca);
    await node.install(join(pki, `node-${NODE_NAME}.crt`), cert);
    await node.install(join(pki, `node-${NODE_NAME}.key`), key);
    const [command = '', ...args] = commandLine(node.pid, coordinator.addresses[0] ?? '');
    agent = execa(command, args, {
      env: containerEnv(),
      extendEnv: false,
      reject: false,
      stdin: 'ignore',
    });
    agent.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  });

  afterAll(async () => {
    agent?.kill('SIGTERM');
    await agent;
    await node?.stop();
    await coordinator?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('connects to cohortd as its node, with the TLS files found only in the node', async () => {
    const ask = () =>
      run(join(REPO_ROOT, 'bin', 'cohortctl'), ['--config', ctlConfig, 'nodes', '--json']);
    let nodes: { name: string; connected: boolean; engines: string[] }[] = [];
    // Bounded: an agent that cannot connect retries for ever, and one that cannot start exits.
    for (const until = Date.now() + 20_000; Date.now() < until && agent.exitCode === null;) {
      const result = await ask();
      nodes = result.exitCode === 0 ? (JSON.parse(result.stdout) as typeof nodes) : [];
      if (nodes.some((n) => n.connected)) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(nodes, log).toMatchObject([{ name: NODE_NAME, connected: true, engines: ['runc'] }]);
  });

  it("hosts sessions under the node's /run/cohort, with its pid in the node's PID namespace", async () => {
    const pid = await node.exec('cat', ['/run/cohort/host/pid']);
    expect(pid.stdout.trim(), log).toBe(String(agent.pid));
    // What bin/cohort's front door does: kill -0 the host, from the node.
    expect((await node.exec('kill', ['-0', String(agent.pid)])).exitCode).toBe(0);
  });
});
