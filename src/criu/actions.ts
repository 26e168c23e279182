/** CRIU action-script names (criu/action-scripts.c) and the variables CRIU sets for them. */
export const CriuAction = {
  PreDump: 'pre-dump',
  NetworkLock: 'network-lock',
  PostDump: 'post-dump',
  PreRestore: 'pre-restore',
  SetupNamespaces: 'setup-namespaces',
  PostSetupNamespaces: 'post-setup-namespaces',
  PostRestore: 'post-restore',
  NetworkUnlock: 'network-unlock',
  PreResume: 'pre-resume',
  PostResume: 'post-resume',
  OrphanPtsMaster: 'orphan-pts-master',
  PreStream: 'pre-stream',
  QueryExtFiles: 'query-ext-files',
} as const;

export type CriuAction = (typeof CriuAction)[keyof typeof CriuAction];

/** Actions whose non-zero exit makes CRIU abort (dump: resume the tasks; restore: kill the tree). */
export const ABORTING_ACTIONS: ReadonlySet<string> = new Set([
  CriuAction.PreDump,
  CriuAction.NetworkLock,
  CriuAction.PostDump,
  CriuAction.PreRestore,
  CriuAction.SetupNamespaces,
  CriuAction.PostSetupNamespaces,
  CriuAction.PostRestore,
]);
