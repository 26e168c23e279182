import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containerdMissing } from '../helpers/containerd.js';
import { COHORT_BIN, RUNTIME_ENTRY } from '../helpers/runc.js';
import { startCriContainerd, parseToml, type CriContainerd } from './cri/containerd-cri.js';
import { readConfigFile } from './paths.js';

const SNIPPET = 'containerd/cohort.toml';
type Table = Record<string, Record<string, unknown>>;

function cohortRuntime(config: Record<string, unknown>): Table {
  const plugins = config.plugins as Record<string, Record<string, Table>>;
  return plugins['io.containerd.grpc.v1.cri']?.containerd?.runtimes as Table;
}

describe('config/containerd/cohort.toml', () => {
  it('registers a runc v2 runtime named cohort whose BinaryName is cohort, passing io.cohort.* through', () => {
    const runtime = cohortRuntime(parseToml(readConfigFile(SNIPPET)))?.cohort ?? {};
    expect(runtime.runtime_type).toBe('io.containerd.runc.v2');
    expect((runtime.options as Record<string, unknown>).BinaryName).toMatch(/\/cohort$/);
    expect(runtime.pod_annotations).toEqual(['io.cohort.*']);
    expect(runtime.container_annotations).toEqual(['io.cohort.*']);
  });
});

const missing =
  containerdMissing() ?? (existsSync(RUNTIME_ENTRY) ? undefined : `${RUNTIME_ENTRY} is not built`);

describe.skipIf(missing !== undefined)('containerd (CRI) with the snippet', () => {
  let containerd: CriContainerd;

  beforeAll(async () => {
    const snippet = parseToml(readConfigFile(SNIPPET));
    const runtime = cohortRuntime(snippet).cohort as Record<string, Record<string, unknown>>;
    // The snippet as shipped, with the binary pointed at this checkout.
    (runtime.options as Record<string, unknown>).BinaryName = COHORT_BIN;
    containerd = await startCriContainerd(snippet);
  });

  afterAll(async () => {
    await containerd?.stop();
  });

  it('runs a pod with runtime handler cohort through bin/cohort, pod annotations reaching the OCI spec', async () => {
    const sandboxConfig = {
      metadata: { name: 'orders-db', uid: 'uid-orders-db', namespace: 'default', attempt: 0 },
      annotations: {
        'io.cohort.group': 'orders',
        // Pod annotations reach every container of the pod: the member is named per container.
        'io.cohort.member.db': 'db',
        'unrelated.example/key': 'x',
      },
      linux: {
        security_context: { namespace_options: { network: 'NODE', pid: 'CONTAINER', ipc: 'POD' } },
      },
    };
    const { pod_sandbox_id: podSandboxId } = await containerd.cri.call<{ pod_sandbox_id: string }>(
      'RunPodSandbox',
      {
        config: sandboxConfig,
        runtime_handler: 'cohort',
      },
    );
    const { container_id: containerId } = await containerd.cri.call<{ container_id: string }>(
      'CreateContainer',
      {
        pod_sandbox_id: podSandboxId,
        config: {
          metadata: { name: 'db' },
          image: { image: 'localhost/cohort-sandbox:test' },
          command: ['/bin/sleep', '600'],
        },
        sandbox_config: sandboxConfig,
      },
    );
    await containerd.cri.call('StartContainer', { container_id: containerId });
    const { status } = await containerd.cri.call<{ status: { state: string } }>('ContainerStatus', {
      container_id: containerId,
    });
    expect(status.state).toBe('CONTAINER_RUNNING');

    // cohort's create ran (BinaryName reached it) and saw the pod's group in the OCI annotations.
    const memberFile = join(
      containerd.cohortStateDir,
      'containers',
      '_run_containerd_runc_k8s.io',
      containerId,
      'member.json',
    );
    const member = JSON.parse(readFileSync(memberFile, 'utf8')) as {
      declaration?: Record<string, unknown>;
    };
    expect(member.declaration).toMatchObject({ group: 'orders', member: 'db' });
    const spec = JSON.parse(
      readFileSync(join(String((member as { bundle?: string }).bundle), 'config.json'), 'utf8'),
    ) as {
      annotations: Record<string, string>;
    };
    expect(spec.annotations['io.cohort.group']).toBe('orders');
    expect(spec.annotations['unrelated.example/key']).toBeUndefined();

    await containerd.cri.call('StopPodSandbox', { pod_sandbox_id: podSandboxId });
    await containerd.cri.call('RemovePodSandbox', { pod_sandbox_id: podSandboxId });
  });
});
