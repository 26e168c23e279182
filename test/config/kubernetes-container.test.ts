import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRuntimeSandbox,
  NODE,
  REPO_ROOT,
  RUNTIME_ENTRY,
  run,
  type RuntimeSandbox,
} from '../helpers/runc.js';
import type { OciMount } from '../helpers/rootfs.js';
import { stageImageTree } from './kubernetes/image-tree.js';
import { findObject, type KubeObject } from './kubernetes/manifests.js';

interface Pod {
  securityContext: { runAsUser: number; runAsGroup: number; fsGroup: number };
  containers: {
    command: string[];
    args: string[];
    ports: { name: string; containerPort: number }[];
    readinessProbe: { httpGet: { path: string; port: string } };
    securityContext: { allowPrivilegeEscalation: boolean; readOnlyRootFilesystem: boolean };
    volumeMounts: { name: string; mountPath: string }[];
  }[];
  volumes: { name: string; secret?: unknown; persistentVolumeClaim?: unknown }[];
}
const pod = findObject<KubeObject & { spec: { template: { spec: Pod } } }>(
  'kubernetes/cohortd.yaml',
  'Deployment',
).spec.template.spec;
const container = pod.containers[0]!;

/** Bind mounts for the test's own Node.js where node:20-slim keeps it, with the libraries it links. */
function nodeMounts(): OciMount[] {
  const libraries = execFileSync('ldd', [NODE], { encoding: 'utf8' }).match(/\/\S+/g) ?? [];
  const dirs = [...new Set(libraries.map((library) => dirname(library)))];
  return [
    { destination: '/usr/local/bin/node', source: NODE, type: 'bind', options: ['rbind', 'ro'] },
    ...dirs.map((dir) => ({
      destination: dir,
      source: dir,
      type: 'bind',
      options: ['rbind', 'ro'],
    })),
  ];
}

const missing = existsSync(RUNTIME_ENTRY) ? undefined : `${RUNTIME_ENTRY} is not built`;

// node:20-slim cannot be pulled here: busybox and the test's Node.js stand in for it, and the
// Containerfile's final stage is laid out from this checkout. The rest is as the Deployment says.
describe.skipIf(missing !== undefined)("cohortd's container as the Deployment declares it", () => {
  let sandbox: RuntimeSandbox;
  let id: string;
  let state: string;

  beforeAll(async () => {
    sandbox = createRuntimeSandbox();
    const image = join(sandbox.dir, 'image');
    const workdir = stageImageTree(image);
    // The Secret's keys, from the certificates pki init makes, as fsGroup and defaultMode 0440 leave them.
    const pki = join(sandbox.dir, 'pki');
    const made = await run(join(REPO_ROOT, 'bin', 'cohortctl'), [
      'pki',
      'init',
      pki,
      '--node',
      'worker-1',
    ]);
    expect(made.exitCode, made.stderr).toBe(0);
    const tls = join(sandbox.dir, 'tls');
    mkdirSync(tls);
    const { fsGroup, runAsUser, runAsGroup } = pod.securityContext;
    for (const [key, file] of [
      ['ca.crt', 'ca.crt'],
      ['tls.crt', 'cohortd.crt'],
      ['tls.key', 'cohortd.key'],
    ]) {
      copyFileSync(join(pki, file!), join(tls, key!));
      chownSync(join(tls, key!), 0, fsGroup);
      chmodSync(join(tls, key!), 0o440);
    }
    // A fresh volume under fsGroup: group-owned, setgid.
    state = join(sandbox.dir, 'state');
    mkdirSync(state);
    chownSync(state, 0, fsGroup);
    chmodSync(state, 0o2775);
    const volumes: Record<string, string> = {
      [pod.volumes.find((v) => v.secret)!.name]: tls,
      [pod.volumes.find((v) => v.persistentVolumeClaim)!.name]: state,
    };
    const bundle = sandbox.bundle({
      args: [...container.command, ...container.args],
      mounts: [
        { destination: workdir, source: image, type: 'bind', options: ['rbind', 'ro'] },
        ...nodeMounts(),
        ...container.volumeMounts.map((mount) => ({
          destination: mount.mountPath,
          source: volumes[mount.name]!,
          type: 'bind',
          options: ['rbind', 'rw'],
        })),
      ],
      edit(spec) {
        spec.root.readonly = container.securityContext.readOnlyRootFilesystem;
        spec.process.user = { uid: runAsUser, gid: runAsGroup, additionalGids: [fsGroup] };
        spec.process.noNewPrivileges = !container.securityContext.allowPrivilegeEscalation;
        // capabilities: drop: [ALL]
        spec.process.capabilities = {
          bounding: [],
          effective: [],
          permitted: [],
          inheritable: [],
          ambient: [],
        };
      },
    });
    id = sandbox.id('k8s-cohortd');
    const created = await sandbox.create('runc', id, bundle);
    expect(created.exitCode, created.stderr).toBe(0);
    expect((await sandbox.runc(['start', id])).exitCode).toBe(0);
  });

  afterAll(async () => {
    await sandbox?.cleanup();
  });

  it('starts cohortd, which answers the readiness probe', async () => {
    const { path, port } = container.readinessProbe.httpGet;
    const containerPort = container.ports.find((p) => p.name === port)?.containerPort;
    const url = `http://127.0.0.1:${containerPort}${path}`;
    let probe = await sandbox.runc(['exec', id, 'wget', '-q', '-O', '-', url]);
    for (let attempt = 0; attempt < 100 && probe.stdout !== 'ok\n'; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      probe = await sandbox.runc(['exec', id, 'wget', '-q', '-O', '-', url]);
    }
    // cohortd's own output, for when it did not come up.
    const log = readFileSync(join(sandbox.dir, `${id}.runc.create.err`), 'utf8');
    expect(probe.stdout, log).toBe('ok\n');
  });

  it('runs as the pod user, writing its decision log to the state volume only', async () => {
    const user = await sandbox.runc(['exec', id, 'id', '-u']);
    expect(user.stdout.trim()).toBe(String(pod.securityContext.runAsUser));
    expect(readdirSync(state)).toEqual(['coordinator.log']);
    expect(statSync(join(state, 'coordinator.log')).uid).toBe(pod.securityContext.runAsUser);
  });
});
