/** cohort's checkpoint store: group checkpoints kept in a directory or an OCI registry (see README.md). */
export { parseStoreLocation, isLoopbackHost, type StoreLocation } from './location.js';
export { openStore, DEFAULT_CHUNK_SIZE } from './open-store.js';
export { DEFAULT_GZIP_LEVEL } from './archive/archive-stream.js';
export {
  drainLeftoverExports,
  makeExportFifo,
  type ExportFifo,
  type FifoDrain,
} from './archive/export-fifo.js';
export {
  makeConfigDump,
  makeRuncArchiveSource,
  type ConfigDump,
  type RuncCheckpoint,
} from './archive/runc-source.js';
export { chooseEpochsToDelete } from './record.js';
export {
  checkpointAnnotations,
  criuVersionNumber,
  DEFAULT_RUNTIME_NAME,
  PODMAN_CHECKPOINT,
  CRIO_CHECKPOINT_NAME,
  CRIU_CHECKPOINT,
  type CheckpointFacts,
} from './oci/checkpoint-annotations.js';
export {
  podmanCheckpointAnnotations,
  type PodmanInspect,
  type PodmanVersions,
} from './oci/podman-facts.js';
export { STORE_ANNOTATION } from './oci/documents.js';
export type {
  ArchiveDigests,
  ArchiveEntry,
  ArchiveSource,
  CheckpointStore,
  FetchTarget,
  PutMemberInput,
  StoredCheckpoint,
  StoredMember,
  StoreOptions,
} from './types.js';
