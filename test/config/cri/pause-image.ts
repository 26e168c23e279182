import { createHash } from 'node:crypto';
import { createWriteStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { pack } from 'tar-stream';
import { busyboxRootfsTar } from '../../helpers/rootfs.js';

function blob(data: Buffer): { digest: string; size: number; data: Buffer } {
  return {
    digest: 'sha256:' + createHash('sha256').update(data).digest('hex'),
    size: data.length,
    data,
  };
}

const ARCH: Record<string, string> = {
  x64: 'amd64',
  arm64: 'arm64',
  ppc64: 'ppc64le',
  s390x: 's390x',
};

/**
 * An OCI archive of the busybox rootfs whose default command sleeps: a pod sandbox image for
 * CRI without a registry (the sandbox must keep running, as pause does).
 */
export async function writeSandboxImage(dir: string, name: string): Promise<string> {
  const layer = blob(readFileSync(busyboxRootfsTar()));
  const config = blob(
    Buffer.from(
      JSON.stringify({
        architecture: ARCH[process.arch] ?? process.arch,
        os: 'linux',
        config: { Env: ['PATH=/bin'], Cmd: ['/bin/sleep', '2147483647'] },
        rootfs: { type: 'layers', diff_ids: [layer.digest] },
      }),
    ),
  );
  const manifest = blob(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: {
          mediaType: 'application/vnd.oci.image.config.v1+json',
          digest: config.digest,
          size: config.size,
        },
        layers: [
          {
            mediaType: 'application/vnd.oci.image.layer.v1.tar',
            digest: layer.digest,
            size: layer.size,
          },
        ],
      }),
    ),
  );
  const index = {
    schemaVersion: 2,
    manifests: [
      {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: manifest.digest,
        size: manifest.size,
        annotations: {
          'io.containerd.image.name': name,
          'org.opencontainers.image.ref.name': name.split(':').pop(),
        },
      },
    ],
  };
  const archive = pack();
  archive.entry({ name: 'oci-layout' }, JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  archive.entry({ name: 'index.json' }, JSON.stringify(index));
  for (const b of [layer, config, manifest])
    archive.entry({ name: `blobs/sha256/${b.digest.slice(7)}` }, b.data);
  archive.finalize();
  const out = join(dir, 'sandbox-image.oci.tar');
  await pipeline(archive, createWriteStream(out));
  return out;
}
