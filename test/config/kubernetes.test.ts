import { readGroupDeclaration } from '../../src/spec/annotations.js';
import { readFileSync } from 'node:fs';
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
  env?: { name: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
  ports: { name: string; containerPort: number }[];
  readinessProbe?: { httpGet?: unknown };
  livenessProbe?: { httpGet?: unknown };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  volumeMounts: { name: string; mountPath: string }[];
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
        volumes: Volume[];
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
    const volumes = pod.volumes.map((volume) => volume.name);
    for (const mount of cohortd.volumeMounts) expect(volumes).toContain(mount.name);
    const secret = documentedSecret('cohort-system');
    expect(pod.volumes.find((v) => v.secret)?.secret?.secretName).toBe(secret.name);
    const tlsFiles = cohortd.args
      .filter((a) => a.startsWith('--tls-'))
      .map((a) => a.split('/').at(-1));
    expect(secret.keys.sort()).toEqual(tlsFiles.sort());
    const state = cohortd.volumeMounts.find((mount) => mount.mountPath === '/var/lib/cohort');
    expect(pod.volumes.find((volume) => volume.name === state?.name)).toMatchObject({
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

  it('runs the same image and command as cohortd, as `agent --node` with the name of its node', () => {
    expect(agent.image).toBe(cohortd.image);
    expect(agent.command).toEqual(cohortd.command);
    expect(agent.args.slice(0, 2)).toEqual(['agent', '--node=$(NODE_NAME)']);
    expect(agent.env).toContainEqual({
      name: 'NODE_NAME',
      valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } },
    });
    // Kubernetes expands $(VAR) from the container's env only: every one used must be defined.
    const defined = (agent.env ?? []).map((variable) => variable.name);
    for (const [, name] of agent.args.join(' ').matchAll(/\$\((\w+)\)/g))
      expect(defined).toContain(name);
  });

  it("reaches cohortd's Service by name through cluster DNS from the host network", () => {
    expect(pod.hostNetwork).toBe(true);
    expect(pod.dnsPolicy).toBe('ClusterFirstWithHostNet');
    const address = `${service.metadata?.name}.${service.metadata?.namespace}.svc:${service.spec.ports[0]?.port}`;
    expect(agent.args).toContain(`--coordinator=${address}`);
    expect(doc).toMatch(new RegExp(`cohortctl pki init pki .*--san ${address.split(':')[0]} `));
  });

  it("runs on the RuntimeClass's nodes, sharing their /run/cohort, with its node's certificate", () => {
    expect(pod.nodeSelector).toEqual(runtimeClass.scheduling.nodeSelector);
    const run = agent.volumeMounts.find((mount) => mount.mountPath === '/run/cohort');
    expect(pod.volumes.find((volume) => volume.name === run?.name)?.hostPath?.path).toBe(
      '/run/cohort',
    );
    const secret = documentedSecret('cohort-node');
    expect(pod.volumes.find((volume) => volume.secret)?.secret?.secretName).toBe(secret.name);
    expect(secret.keys).toEqual(['ca.crt', 'node-worker-1.crt', 'node-worker-1.key']);
    expect(agent.args).toContain('--tls-cert=/etc/cohort/tls/node-$(NODE_NAME).crt');
    expect(agent.args).toContain('--tls-key=/etc/cohort/tls/node-$(NODE_NAME).key');
  });

  it('needs "privileged" only for the host network, /run/cohort and root, and keeps the rest', () => {
    expect(restrictedViolations(pod)).toEqual([
      'host namespaces: hostNetwork must be unset or false',
      'volume types: volume run-cohort is hostPath',
      'running as non-root: container agent must run with runAsNonRoot true',
      'running as non-root user: container agent has runAsUser 0',
    ]);
    expect(findObject(AGENT, 'Namespace').metadata?.labels?.[ENFORCE]).toBe('privileged');
    expect(daemonSet.metadata.namespace).toBe('cohort-node');
    for (const key of ['requests', 'limits'] as const)
      expect(Object.keys(agent.resources?.[key] ?? {}).sort()).toEqual(['cpu', 'memory']);
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
