import { readGroupDeclaration } from '../../src/spec/annotations.js';
import { readFileSync } from 'node:fs';
import { parse } from 'smol-toml';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDaemonArgs } from '../../src/daemon/parse-args.js';
import { REPO_ROOT } from '../helpers/runc.js';
import {
  findObject,
  listManifestFiles,
  readObjects,
  type KubeObject,
} from './kubernetes/manifests.js';
import { restrictedViolations, type PodSpec } from './kubernetes/pod-security.js';
import { ENGINES_DOC, readConfigFile } from './paths.js';

const COHORTD = 'kubernetes/cohortd.yaml';
const AGENT = 'kubernetes/agent.yaml';
const RUNTIME_CLASS = 'kubernetes/runtimeclass.yaml';
const ENFORCE = 'pod-security.kubernetes.io/enforce';

type Container = {
  name: string;
  image: string;
  command: string[];
  args: string[];
  env?: { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
  ports: { name: string; containerPort: number }[];
  readinessProbe?: { httpGet?: unknown };
  livenessProbe?: { httpGet?: unknown };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  volumeMounts?: { name: string; mountPath: string }[];
  securityContext?: {
    privileged?: boolean;
    runAsUser?: number;
    allowPrivilegeEscalation?: boolean;
    seccompProfile?: { type: string };
  };
};
type Volume = {
  name: string;
  secret?: { secretName: string };
  hostPath?: { path: string };
};
type Workload = KubeObject & {
  metadata: { namespace: string };
  spec: {
    replicas?: number;
    strategy?: { type: string };
    selector: { matchLabels: Record<string, string> };
    template: {
      metadata: { labels: Record<string, string> };
      spec: Omit<PodSpec, 'containers' | 'volumes'> & {
        containers: Container[];
        volumes?: Volume[];
        nodeSelector?: Record<string, string>;
        dnsPolicy?: string;
        automountServiceAccountToken?: boolean;
      };
    };
  };
};
type Service = KubeObject & {
  spec: {
    selector: Record<string, string>;
    clusterIP: string;
    ports: { port: number; targetPort: string }[];
  };
};
type RuntimeClass = KubeObject & { scheduling: { nodeSelector: Record<string, string> } };

const doc = readFileSync(ENGINES_DOC, 'utf8');
const deployment = findObject<Workload>(COHORTD, 'Deployment');
const daemonSet = findObject<Workload>(AGENT, 'DaemonSet');
const service = findObject<Service>(COHORTD, 'Service');
const runtimeClass = findObject<RuntimeClass>(RUNTIME_CLASS, 'RuntimeClass');
const cohortd = deployment.spec.template.spec.containers[0] as Container;
const agent = daemonSet.spec.template.spec.containers[0] as Container;

/** The `kubectl -n NAMESPACE create secret generic NAME` the docs give: its name and keys. */
function documentedSecret(namespace: string): { name: string; keys: string[] } {
  const prefix = `kubectl -n ${namespace} create secret generic `;
  const line = doc
    .replaceAll('\\\n', ' ')
    .split('\n')
    .find((text) => text.startsWith(prefix));
  if (line === undefined) throw new Error(`docs/engines.md creates no Secret in ${namespace}`);
  const [name = '', ...words] = line.slice(prefix.length).split(/\s+/);
  // --from-file=KEY=PATH, or --from-file=PATH whose file name is the key.
  const keys = words
    .filter((word) => word.startsWith('--from-file='))
    .map((word) => word.slice('--from-file='.length))
    .map((value) => (value.includes('=') ? value.split('=')[0] : value.split('/').at(-1)) ?? '');
  return { name, keys };
}

describe('config/kubernetes', () => {
  it('holds no Secret: applying a file again never empties one', () => {
    for (const file of listManifestFiles())
      expect(readObjects(file).map((object) => object.kind)).not.toContain('Secret');
  });

  it('names every object in lowercase DNS labels, namespaced ones in their own namespaces', () => {
    for (const file of listManifestFiles()) {
      for (const object of readObjects(file)) {
        expect(object.metadata?.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
        if (!['Namespace', 'RuntimeClass', 'Pod'].includes(object.kind ?? ''))
          expect(['cohort-system', 'cohort-node']).toContain(object.metadata?.namespace);
      }
    }
  });
});

describe('RuntimeClass cohort', () => {
  it('selects the handler named cohort, on nodes labelled cohort.io/runtime=true', () => {
    expect(runtimeClass).toMatchObject({ handler: 'cohort', metadata: { name: 'cohort' } });
    expect(runtimeClass.scheduling.nodeSelector).toEqual({ 'cohort.io/runtime': 'true' });
    expect(doc).toContain('kubectl label node worker-1 cohort.io/runtime=true');
  });
});

describe('cohortd', () => {
  const pod = deployment.spec.template.spec;

  it('is one replica, replaced (not rolled) on update, whose selector matches its pods', () => {
    expect(readObjects(COHORTD).map((r) => r.kind)).toEqual([
      'Namespace',
      'PersistentVolumeClaim',
      'Deployment',
      'Service',
    ]);
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.strategy?.type).toBe('Recreate');
    expect(deployment.spec.template.metadata.labels).toMatchObject(
      deployment.spec.selector.matchLabels,
    );
  });

  it('runs the image the docs build from the Containerfile, tagged with the package version', () => {
    const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
      version: string;
    };
    expect(cohortd.image).toMatch(new RegExp(`/cohort:${version.replaceAll('.', '\\.')}$`));
    expect(doc).toContain(`podman build -f config/kubernetes/Containerfile -t ${cohortd.image} .`);
  });

  it('runs cohortd itself, with flags cohortd accepts: mTLS on 7443, /healthz on the http port', async () => {
    expect(cohortd.command).toEqual([expect.stringMatching(/\/bin\/cohortd$/)]);
    const parsed = await parseDaemonArgs(cohortd.args);
    if (parsed.kind !== 'run') throw new Error('cohortd would print text, not run');
    expect(parsed.options.listen).toEqual(['0.0.0.0:7443']);
    expect(parsed.options.tls).toEqual({
      ca: '/etc/cohort/tls/ca.crt',
      cert: '/etc/cohort/tls/tls.crt',
      key: '/etc/cohort/tls/tls.key',
    });
    expect(parsed.options.stateDir).toBe('/var/lib/cohort');
    const http = cohortd.ports.find((port) => port.name === 'http')?.containerPort;
    expect(parsed.options.metricsListen).toBe(`0.0.0.0:${http}`);
    expect(cohortd.ports.map((port) => port.name)).toEqual(['grpc', 'http']);
    for (const probe of [cohortd.readinessProbe, cohortd.livenessProbe])
      expect(probe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
  });

  it('mounts its TLS files from the Secret the docs create, and its decision log from the volume', () => {
    const podVolumes = pod.volumes ?? [];
    const mounts = cohortd.volumeMounts ?? [];
    const volumes = podVolumes.map((volume) => volume.name);
    for (const mount of mounts) expect(volumes).toContain(mount.name);
    const secret = documentedSecret('cohort-system');
    expect(podVolumes.find((v) => v.secret)?.secret?.secretName).toBe(secret.name);
    const tlsFiles = cohortd.args
      .filter((a) => a.startsWith('--tls-'))
      .map((a) => a.split('/').at(-1));
    expect(secret.keys.sort()).toEqual(tlsFiles.sort());
    const state = mounts.find((mount) => mount.mountPath === '/var/lib/cohort');
    expect(podVolumes.find((volume) => volume.name === state?.name)).toMatchObject({
      persistentVolumeClaim: {
        claimName: findObject(COHORTD, 'PersistentVolumeClaim').metadata?.name,
      },
    });
  });

  it('meets Pod Security "restricted", which its namespace enforces, and asks for CPU and memory', () => {
    expect(restrictedViolations(pod)).toEqual([]);
    expect(findObject(COHORTD, 'Namespace').metadata?.labels?.[ENFORCE]).toBe('restricted');
    expect(pod.securityContext?.seccompProfile?.type).toBe('RuntimeDefault');
    expect(pod.automountServiceAccountToken).toBe(false);
    for (const key of ['requests', 'limits'] as const)
      expect(Object.keys(cohortd.resources?.[key] ?? {}).sort()).toEqual(['cpu', 'memory']);
  });

  it("is reached at the Service's fixed cluster IP, the address in the example node config and certificate", () => {
    expect(service.spec.selector).toEqual(deployment.spec.selector.matchLabels);
    expect(cohortd.ports.map((port) => port.name)).toContain(service.spec.ports[0]?.targetPort);
    const config = JSON.parse(readConfigFile('cohort.example.json')) as {
      coordinator: { address: string };
    };
    expect(config.coordinator.address).toBe(
      `${service.spec.clusterIP}:${service.spec.ports[0]?.port}`,
    );
    expect(doc).toMatch(
      new RegExp(
        `cohortctl pki init pki .*--san ${service.spec.clusterIP.replaceAll('.', '\\.')} `,
      ),
    );
  });
});

describe('the node agent', () => {
  const pod = daemonSet.spec.template.spec;
  const nodeConfig = JSON.parse(readConfigFile('cohort.example.json')) as {
    coordinator: { address: string; tls: Record<string, string> };
  };
  /** The agent's args as the kubelet passes them on node worker-1, the example config's node. */
  const argsOnWorker1 = () => agent.args.map((arg) => arg.replaceAll('$(NODE_NAME)', 'worker-1'));
  const parsedAgent = async () => {
    const parsed = await parseDaemonArgs(argsOnWorker1());
    if (parsed.kind !== 'agent') throw new Error('cohortd would not run as an agent');
    return parsed;
  };

  it("runs the node's installed cohortd in the mount namespace of the node's PID 1", () => {
    expect(pod.hostPID).toBe(true);
    const [nsenter, ...words] = agent.command;
    expect(nsenter).toBe('/usr/bin/nsenter');
    const options = words.slice(0, words.indexOf('--'));
    expect(options).toEqual(expect.arrayContaining(['--target=1', '--mount', '--cgroup']));
    // The install the runtime runs from on the node, at the path the image also uses.
    expect(words.slice(words.indexOf('--') + 1)).toEqual(cohortd.command);
    expect(agent.image).toBe(cohortd.image);
  });

  it('runs as `cohortd agent --node` with the name of its node, with flags cohortd accepts', async () => {
    expect(agent.args.slice(0, 2)).toEqual(['agent', '--node=$(NODE_NAME)']);
    expect(agent.env).toContainEqual({
      name: 'NODE_NAME',
      valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } },
    });
    // Kubernetes expands $(VAR) from the container's env only: every one used must be defined.
    const defined = (agent.env ?? []).map((variable) => variable.name);
    for (const [, name] of [...agent.command, ...agent.args].join(' ').matchAll(/\$\((\w+)\)/g))
      expect(defined).toContain(name);
    expect((await parsedAgent()).agent.node).toBe('worker-1');
  });

  it("reaches cohortd at the Service's fixed cluster IP, as the node's cohort config does", async () => {
    // In the node's mount namespace /etc/resolv.conf is the node's: no cluster DNS names.
    expect(pod.hostNetwork).toBe(true);
    expect(pod.dnsPolicy).toBeUndefined();
    expect((await parsedAgent()).coordinators).toEqual([nodeConfig.coordinator.address]);
    expect(nodeConfig.coordinator.address).toBe(
      `${service.spec.clusterIP}:${service.spec.ports[0]?.port}`,
    );
  });

  it("uses the node's own TLS files, the ones its cohort config names, and mounts no volume", async () => {
    expect((await parsedAgent()).tls).toEqual(nodeConfig.coordinator.tls);
    expect(Object.values(nodeConfig.coordinator.tls)).toEqual(
      expect.arrayContaining([
        '/etc/cohort/pki/node-worker-1.crt',
        '/etc/cohort/pki/node-worker-1.key',
      ]),
    );
    // A volume would be mounted in the pod's mount namespace, which the agent has left.
    expect(pod.volumes ?? []).toEqual([]);
    expect(agent.volumeMounts ?? []).toEqual([]);
  });

  it('watches the runc roots of both CRI engines: containerd (namespace k8s.io) and CRI-O', async () => {
    const crio = parse(readConfigFile('crio/crio.conf.d/10-cohort.conf')) as {
      crio: { runtime: { runtimes: { cohort: { runtime_root: string } } } };
    };
    const { agent: flags } = await parsedAgent();
    expect(flags.engines).toEqual(['runc']);
    // containerd's runc v2 shim keeps state in /run/containerd/runc/NAMESPACE; CRI's is k8s.io.
    expect(flags.runcRoots.sort()).toEqual(
      ['/run/containerd/runc/k8s.io', crio.crio.runtime.runtimes.cohort.runtime_root].sort(),
    );
  });

  it('runs on the RuntimeClass nodes, privileged, as root, without seccomp, in a "privileged" namespace', () => {
    expect(pod.nodeSelector).toEqual(runtimeClass.scheduling.nodeSelector);
    expect(agent.securityContext).toMatchObject({
      privileged: true,
      runAsUser: 0,
      seccompProfile: { type: 'Unconfined' },
    });
    // The API server refuses a privileged container with allowPrivilegeEscalation false.
    expect(agent.securityContext?.allowPrivilegeEscalation).not.toBe(false);
    expect(restrictedViolations(pod)).toEqual([
      'host namespaces: hostNetwork must be unset or false',
      'host namespaces: hostPID must be unset or false',
      'privileged: container agent is privileged',
      'privilege escalation: container agent must set allowPrivilegeEscalation to false',
      'running as non-root: container agent must run with runAsNonRoot true',
      'running as non-root user: container agent has runAsUser 0',
      'seccomp: container agent must run with RuntimeDefault or Localhost, not "Unconfined"',
      'capabilities: container agent must drop ALL',
    ]);
    expect(findObject(AGENT, 'Namespace').metadata?.labels?.[ENFORCE]).toBe('privileged');
    expect(daemonSet.metadata.namespace).toBe('cohort-node');
  });

  it('asks for CPU and memory, and sets no limit that would cut a dump in its cgroup short', () => {
    expect(Object.keys(agent.resources?.requests ?? {}).sort()).toEqual(['cpu', 'memory']);
    expect(agent.resources?.limits).toBeUndefined();
  });
});

describe('the example pods', () => {
  it('run with runtimeClassName cohort and declare one group', () => {
    const pods = readObjects('kubernetes/pod-example.yaml') as (KubeObject & {
      spec: { runtimeClassName: string; containers: Container[] };
    })[];
    expect(pods).toHaveLength(2);
    for (const pod of pods) {
      expect(pod.spec.runtimeClassName).toBe('cohort');
      expect(pod.spec.containers.length).toBeGreaterThan(0);
      for (const c of pod.spec.containers) expect(c.name && c.image).toBeTruthy();
      expect(pod.metadata?.annotations?.['io.cohort.group']).toBe('orders');
      expect(pod.metadata?.annotations?.['io.cohort.group.members']).toBe('db,api');
    }
    // Each container's member name as cohort reads it under CRI: the declared members, once each.
    const names = pods.flatMap((pod) =>
      pod.spec.containers.map(
        (c) =>
          readGroupDeclaration(
            {
              ...(pod.metadata?.annotations ?? {}),
              'io.kubernetes.cri.sandbox-name': pod.metadata?.name ?? '',
              'io.kubernetes.cri.container-name': c.name ?? '',
            },
            'container-id',
          )?.member,
      ),
    );
    expect(names).toEqual(['db', 'api']);
  });
});
