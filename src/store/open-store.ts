import { CohortError, ErrorCode } from '../core/errors.js';
import { checkGzipLevel, DEFAULT_GZIP_LEVEL } from './archive/archive-stream.js';
import { DirStore } from './dir/dir-store.js';
import type { StoreLocation } from './location.js';
import { findCredentials } from './oci/credentials.js';
import { makeDispatcher } from './oci/dispatcher.js';
import { OciStore } from './oci/oci-store.js';
import { RegistryClient } from './oci/registry-client.js';
import type { CheckpointStore, StoreOptions } from './types.js';

/** The upload chunk: two per upload at a time (one sent, one filling); 2 MiB keeps four uploads inside 64 MiB. */
export const DEFAULT_CHUNK_SIZE = 2 * 1024 * 1024;

/** OCI's names for Node's architectures. */
const OCI_ARCH: Record<string, string> = {
  x64: 'amd64',
  arm64: 'arm64',
  arm: 'arm',
  ppc64: 'ppc64le',
  s390x: 's390x',
  ia32: '386',
};

/** Opens the checkpoint store at a parsed location; nothing is contacted until the first call. */
export function openStore(location: StoreLocation, options: StoreOptions): CheckpointStore {
  const gzipLevel = options.gzipLevel ?? DEFAULT_GZIP_LEVEL;
  if (!checkGzipLevel(gzipLevel)) {
    throw new CohortError(
      ErrorCode.Argv,
      `gzip level ${gzipLevel} is invalid; give a whole number from 1 (fastest) to 9 (smallest)`,
    );
  }
  if (location.kind === 'dir') return new DirStore(location, gzipLevel);
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  if (!Number.isSafeInteger(chunkSize) || chunkSize < 64 * 1024) {
    throw new CohortError(
      ErrorCode.Argv,
      `chunk size ${chunkSize} is invalid; give at least 65536 bytes`,
    );
  }
  const tlsVerify = options.tlsVerify ?? true;
  const dispatcher = makeDispatcher(
    options.caFile === undefined ? { tlsVerify } : { tlsVerify, caFile: options.caFile },
  );
  const credentials = findCredentials(options.env, location.host, location.repository);
  const client = new RegistryClient(
    location.host,
    location.text,
    dispatcher,
    tlsVerify,
    credentials,
  );
  const platform = options.platform ?? {
    os: 'linux',
    architecture: OCI_ARCH[process.arch] ?? process.arch,
  };
  return new OciStore(location, client, { gzipLevel, chunkSize, platform });
}
