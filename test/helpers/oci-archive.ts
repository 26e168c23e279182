import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, readFileSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { pack } from 'tar-stream';
import { busyboxRootfsTar } from './rootfs.js';

interface Blob {
  digest: string;
  size: number;
  data: Buffer;
}

function blob(data: Buffer): Blob {
  return {
    digest: 'sha256:' + createHash('sha256').update(data).digest('hex'),
    size: data.length,
    data,
  };
}

function ociArch(): string {
  return (
    { x64: 'amd64', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x' }[
      process.arch as string
    ] ?? process.arch
  );
}

/** The image config's run defaults (Env, Cmd), as `podman run` or CRI would take them. */
export interface ImageRunConfig {
  Env: string[];
  Cmd: string[];
}

const SHELL: ImageRunConfig = {
  Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
  Cmd: ['sh'],
};

/**
 * An OCI image archive (oci-layout, index.json, blobs) of the busybox rootfs as one
 * uncompressed layer, named `name` for `ctr images import`; cached beside the rootfs tar.
 */
export async function busyboxOciArchive(
  name: string,
  runConfig: ImageRunConfig = SHELL,
): Promise<string> {
  const layerTar = busyboxRootfsTar();
  // The run config is in the cache key: one name may be built with different commands.
  const key = createHash('sha256').update(JSON.stringify(runConfig)).digest('hex').slice(0, 12);
  const safeName = name.replace(/[^A-Za-z0-9._-]/g, '_');
  const out = join(dirname(layerTar), `image-${safeName}-${key}.oci.tar`);
  if (existsSync(out)) return out;
  const layer = blob(readFileSync(layerTar));
  const config = blob(
    Buffer.from(
      JSON.stringify({
        architecture: ociArch(),
        os: 'linux',
        config: runConfig,
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
  for (const b of [layer, config, manifest]) {
    archive.entry({ name: `blobs/sha256/${b.digest.slice('sha256:'.length)}` }, b.data);
  }
  archive.finalize();
  const temp = `${out}.${process.pid}.tmp`;
  await pipeline(archive, createWriteStream(temp));
  renameSync(temp, out);
  return out;
}
