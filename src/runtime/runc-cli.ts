import type { FlagSpec } from './flags.js';

const value = (...names: string[]): FlagSpec => ({ names, takesValue: true });
const bool = (...names: string[]): FlagSpec => ({ names, takesValue: false });

/** runc 1.1's global flags (main.go). */
export const GLOBAL_FLAGS: readonly FlagSpec[] = [
  bool('debug'),
  value('log'),
  value('log-format'),
  value('root'),
  value('criu'),
  bool('systemd-cgroup'),
  value('rootless'),
  bool('help', 'h'),
  bool('version', 'v'),
];

/** runc create and run (create.go, run.go); detach, keep and no-subreaper are run's alone. */
export const CREATE_FLAGS: readonly FlagSpec[] = [
  value('bundle', 'b'),
  value('console-socket'),
  value('pid-file'),
  bool('no-pivot'),
  bool('no-new-keyring'),
  value('preserve-fds'),
  bool('detach', 'd'),
  bool('keep'),
  bool('no-subreaper'),
  bool('help', 'h'),
];

const CRIU_COMMON: readonly FlagSpec[] = [
  value('image-path'),
  value('work-path'),
  bool('leave-running'),
  bool('tcp-established'),
  bool('ext-unix-sk'),
  bool('shell-job'),
  bool('lazy-pages'),
  bool('file-locks'),
  value('manage-cgroups-mode'),
  value('empty-ns'),
  bool('auto-dedup'),
  bool('help', 'h'),
];

/** runc checkpoint (checkpoint.go). */
export const CHECKPOINT_FLAGS: readonly FlagSpec[] = [
  ...CRIU_COMMON,
  value('parent-path'),
  value('status-fd'),
  value('page-server'),
  bool('pre-dump'),
];

/** runc restore (restore.go). */
export const RESTORE_FLAGS: readonly FlagSpec[] = [
  ...CRIU_COMMON,
  value('console-socket'),
  value('bundle', 'b'),
  bool('detach', 'd'),
  value('pid-file'),
  bool('no-subreaper'),
  bool('no-pivot'),
  value('lsm-profile'),
  value('lsm-mount-context'),
];
