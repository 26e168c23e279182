/** cohortctl's exit codes: stable, documented in --help and docs/engines.md. */
export const EXIT = {
  ok: 0,
  /** The operation ran and failed: a member failed, the round aborted. */
  failed: 1,
  /** Usage, bad input, a manifest or config that does not validate. */
  usage: 2,
  /** No coordinator answered at the address used. */
  unreachable: 3,
  /** An unknown group, or a member container that does not exist. */
  notFound: 4,
  /** A program cohortctl drives (podman, openssl) is not installed. */
  engineMissing: 5,
  /** The store did not answer (registry unreachable). */
  storeUnreachable: 6,
  /** The store refused the credentials, or there were none for it. */
  storeAuth: 7,
  /** The store's disk is full. */
  storeFull: 8,
  /** What the store returned does not match its recorded digest. */
  storeCorrupt: 9,
  /** The store holds another group's checkpoints there. */
  storeWrongGroup: 10,
  /** The checkpoint committed but is not stored (an upload failed or was cut off). */
  notStored: 11,
} as const;

export const EXIT_CODES_EPILOGUE = [
  'Exit codes:',
  `  ${EXIT.ok}  ok`,
  `  ${EXIT.failed}  the operation failed (a member failed, the round aborted)`,
  `  ${EXIT.usage}  usage error, bad input, manifest or config that does not validate`,
  `  ${EXIT.unreachable}  coordinator unreachable`,
  `  ${EXIT.notFound}  not found (unknown group, member container missing)`,
  `  ${EXIT.engineMissing}  engine or tool missing (podman, openssl)`,
  `  ${EXIT.storeUnreachable}  store unreachable`,
  `  ${EXIT.storeAuth}  store credentials refused or missing`,
  `  ${EXIT.storeFull}  store full`,
  `  ${EXIT.storeCorrupt}  stored archive corrupt (digest mismatch)`,
  `  ${EXIT.storeWrongGroup}  the store holds another group's checkpoints`,
  `  ${EXIT.notStored}  committed but not stored`,
].join('\n');
