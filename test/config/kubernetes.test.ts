import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseDaemonArgs } from '../../src/coordinator/daemon/parse-args.js';
import { readConfigFile } from './paths.js';

interface Resource {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    annotations?: Record<string, string>;
    labels?: Record<string, string>;
  };
  [key: string]: unknown;
}

function resources(file: string): Resource[] {
  const docs = parseAllDocuments(readConfigFile(file));
  if (!Array.isArray(docs)) throw new Error(`${file}: not a YAML stream`);
  for (const doc of docs)
    expect(doc.errors, `${file}: ${doc.errors.map(String).join('; ')}`).toEqual([]);
  return docs.map((doc) => doc.toJS() as Resource);
}

const API_VERSIONS: Record<string, string> = {
  Namespace: 'v1',
  Secret: 'v1',
  Service: 'v1',
  Pod: 'v1',
  PersistentVolumeClaim: 'v1',
  Deployment: 'apps/v1',
  RuntimeClass: 'node.k8s.io/v1',
};
const NAMESPACED = ['Secret', 'Service', 'PersistentVolumeClaim', 'Deployment'];

describe.each([
  'kubernetes/runtimeclass.yaml',
  'kubernetes/cohortd.yaml',
  'kubernetes/pod-example.yaml',
])('config/%s', (file) => {
  it('parses, and every object has the apiVersion of its kind, a kind and metadata.name', () => {
    for (const resource of resources(file)) {
      expect(resource.kind).toBeDefined();
      expect(resource.apiVersion).toBe(API_VERSIONS[resource.kind ?? '']);
      expect(resource.metadata?.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      if (NAMESPACED.includes(resource.kind ?? ''))
        expect(resource.metadata?.namespace).toBe('cohort-system');
    }
  });
});

describe('Kubernetes objects', () => {
  it('RuntimeClass cohort selects the handler named cohort', () => {
    expect(resources('kubernetes/runtimeclass.yaml')).toEqual([
      {
        apiVersion: 'node.k8s.io/v1',
        kind: 'RuntimeClass',
        metadata: { name: 'cohort' },
        handler: 'cohort',
      },
    ]);
  });

  it('cohortd: a Deployment whose selector matches its pods, ready on /healthz, with a Service over its port', () => {
    const all = resources('kubernetes/cohortd.yaml');
    expect(all.map((r) => r.kind)).toEqual([
      'Namespace',
      'Secret',
      'PersistentVolumeClaim',
      'Deployment',
      'Service',
    ]);
    const deployment = all.find((r) => r.kind === 'Deployment') as Resource & {
      spec: {
        replicas: number;
        selector: { matchLabels: Record<string, string> };
        template: {
          metadata: { labels: Record<string, string> };
          spec: { containers: Container[]; volumes: Volume[] };
        };
      };
    };
    const { spec } = deployment;
    expect(spec.replicas).toBe(1);
    expect(spec.template.metadata.labels).toMatchObject(spec.selector.matchLabels);
    const [container] = spec.template.spec.containers;
    expect(container?.image).toBeTruthy();
    expect(container?.readinessProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
    const ports = (container?.ports ?? []).map((port) => port.name);
    expect(ports).toEqual(['grpc', 'http']);
    const volumes = spec.template.spec.volumes.map((volume) => volume.name);
    for (const mount of container?.volumeMounts ?? []) expect(volumes).toContain(mount.name);
    const secret = all.find((r) => r.kind === 'Secret');
    expect(spec.template.spec.volumes.find((v) => v.secret)?.secret?.secretName).toBe(
      secret?.metadata?.name,
    );
    const service = all.find((r) => r.kind === 'Service') as Resource & {
      spec: { selector: Record<string, string>; ports: { targetPort: string }[] };
    };
    expect(service.spec.selector).toEqual(spec.selector.matchLabels);
    expect(ports).toContain(service.spec.ports[0]?.targetPort);
  });

  it("starts cohortd with flags cohortd accepts: mTLS on 7443, /healthz on the Service's target", async () => {
    const deployment = resources('kubernetes/cohortd.yaml').find(
      (r) => r.kind === 'Deployment',
    ) as Resource & {
      spec: {
        template: {
          spec: {
            containers: { args: string[]; ports: { name: string; containerPort: number }[] }[];
          };
        };
      };
    };
    const [container] = deployment.spec.template.spec.containers;
    const parsed = await parseDaemonArgs(container?.args ?? []);
    if (parsed.kind !== 'run') throw new Error('cohortd would print text, not run');
    expect(parsed.options.listen).toEqual(['0.0.0.0:7443']);
    expect(parsed.options.tls).toEqual({
      ca: '/etc/cohort/tls/ca.crt',
      cert: '/etc/cohort/tls/tls.crt',
      key: '/etc/cohort/tls/tls.key',
    });
    const http = container?.ports.find((port) => port.name === 'http')?.containerPort;
    expect(parsed.options.metricsListen).toBe(`0.0.0.0:${http}`);
  });

  it('the example pods run with runtimeClassName cohort and declare one group', () => {
    const pods = resources('kubernetes/pod-example.yaml') as (Resource & {
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
    expect(pods.map((pod) => pod.metadata?.annotations?.['io.cohort.member'])).toEqual([
      'db',
      'api',
    ]);
  });
});

interface Container {
  name?: string;
  image?: string;
  ports?: { name: string }[];
  readinessProbe?: { httpGet?: unknown };
  volumeMounts?: { name: string }[];
}
interface Volume {
  name: string;
  secret?: { secretName: string };
}
