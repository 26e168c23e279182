import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { mergeToml, startContainerd } from '../../helpers/containerd.js';
import { connectCri, type CriClient } from './cri-client.js';

/** CRI's own namespace: the CRI plugin always works in k8s.io. */
export const CRI_NAMESPACE = 'k8s.io';
export const SANDBOX_IMAGE = 'localhost/cohort-sandbox:test';
/** The pod sandbox must keep running, as pause does: busybox whose command sleeps. */
const SANDBOX_RUN = { Env: ['PATH=/bin'], Cmd: ['/bin/sleep', '2147483647'] };

export interface CriContainerd {
  dir: string;
  address: string;
  cohortStateDir: string;
  cri: CriClient;
  stop(): Promise<void>;
}

type Table = Record<string, unknown>;

/** The CRI plugin with private CNI dirs and the local sandbox image. */
function criConfig(dir: string): Table {
  for (const sub of ['cni-bin', 'cni-conf']) mkdirSync(join(dir, sub));
  return {
    plugins: {
      'io.containerd.grpc.v1.cri': {
        sandbox_image: SANDBOX_IMAGE,
        disable_tcp_service: true,
        // No CAP_SYS_RESOURCE here: the sandbox's oom_score_adj (-998) must be clamped to ours.
        restrict_oom_score_adj: true,
        stream_server_address: '127.0.0.1',
        stream_server_port: '0',
        cni: { bin_dir: join(dir, 'cni-bin'), conf_dir: join(dir, 'cni-conf') },
        // As `containerd config default` writes it: the snippet adds a runtime beside runc.
        containerd: {
          snapshotter: 'overlayfs',
          default_runtime_name: 'runc',
          runtimes: { runc: { runtime_type: 'io.containerd.runc.v2' } },
        },
      },
    },
  };
}

/**
 * A containerd of its own with the CRI plugin on, its config being a base (private dirs, a local
 * sandbox image) merged with `snippet`: a TOML text such as config/containerd/cohort.toml.
 */
export async function startCriContainerd(snippet: Table): Promise<CriContainerd> {
  let cri: CriClient | undefined;
  // The CRI service registers a moment after the socket appears.
  const criAnswers = async (address: string): Promise<boolean> => {
    cri ??= connectCri(address);
    return cri.call('Version', { version: 'v1' }).then(
      () => true,
      () => false,
    );
  };
  try {
    const containerd = await startContainerd({
      namespace: CRI_NAMESPACE,
      config: (dir) => mergeToml(criConfig(dir), snippet),
      image: SANDBOX_IMAGE,
      imageRun: SANDBOX_RUN,
      ready: criAnswers,
    });
    const client = cri as CriClient;
    const { dir, address, cohortStateDir } = containerd;
    const stop = async (): Promise<void> => {
      client.close();
      await containerd.stop();
    };
    return { dir, address, cohortStateDir, cri: client, stop };
  } catch (error) {
    cri?.close();
    throw error;
  }
}

/** The TOML parser the config tests share. */
export { parse as parseToml };
