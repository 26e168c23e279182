/** Every argv form callers pass to a runtime (design.md §1), with the subcommand runc finds in it. */
export interface ArgvForm {
  /** Who passes it, and how. */
  name: string;
  argv: string[];
  /** The subcommand Go's flag parsing stops at; undefined for none. */
  command: string | undefined;
  commandArgs: string[];
  root?: string;
  log?: string;
  logFormat?: string;
  systemdCgroup?: boolean;
  version?: boolean;
  help?: boolean;
}

const CONTAINERD_GLOBALS = [
  '--root',
  '/run/containerd/runc/k8s.io',
  '--log',
  '/b/log.json',
  '--log-format',
  'json',
];
const containerd = { root: '/run/containerd/runc/k8s.io', log: '/b/log.json', logFormat: 'json' };

/** Command arguments as each caller passes them; argv-model.test.ts parses the same lists. */
export const CALLER_ARGS = {
  podmanCreate: [
    '--bundle',
    '/b',
    '--pid-file',
    '/r/pidfile',
    '--console-socket',
    '/s',
    '--preserve-fds',
    '2',
    'x',
  ],
  podmanExec: [
    '--pid-file',
    '/f',
    '--process',
    '/p.json',
    '--detach',
    '--tty',
    '--console-socket',
    '/s',
    'x',
  ],
  podmanCheckpoint: [
    '--image-path',
    '/b/checkpoint',
    '--work-path',
    '/b',
    '--leave-running',
    '--leave-running',
    '--tcp-established',
    '--file-locks',
    '--pre-dump',
    '--parent-path',
    '../pre-checkpoint',
    'x',
  ],
  podmanRestore: [
    '--bundle',
    '/b',
    '--pid-file',
    '/r/pidfile',
    '--detach',
    '--image-path',
    '/b/checkpoint',
    '--work-path',
    '/b',
    '--tcp-established',
    '--file-locks',
    '--console-socket',
    '/s',
    'x',
  ],
  containerdCreate: ['--bundle', '/b', '--pid-file', '/b/init.pid', 'x'],
  containerdCheckpoint: [
    '--image-path',
    '/p',
    '--work-path',
    '/w',
    '--file-locks',
    '--leave-running',
    'x',
  ],
  containerdRestore: [
    '--image-path',
    '/p',
    '--work-path',
    '/w',
    '--detach',
    '--pid-file',
    '/b/init.pid',
    '-no-subreaper',
    '--bundle',
    '/b',
    'x',
  ],
  crioRestore: [
    '--bundle',
    '/b',
    '--pid-file',
    '/p',
    '--no-pivot',
    '--detach',
    '--image-path',
    '/d/checkpoint',
    '--work-path',
    '/b',
    '--lsm-profile=apparmor:p',
    '--lsm-mount-context=ctx',
    '--console-socket',
    '/s',
    'x',
  ],
} satisfies Record<string, readonly string[]>;

/** A form whose argv is globals, command, then its arguments: each list is written once. */
function called(
  name: string,
  globals: readonly string[],
  command: string,
  commandArgs: readonly string[],
  extra: Partial<ArgvForm> = {},
): ArgvForm {
  return {
    name,
    argv: [...globals, command, ...commandArgs],
    command,
    commandArgs: [...commandArgs],
    ...extra,
  };
}

export const ARGV_FORMS: ArgvForm[] = [
  { name: 'no flags', argv: ['state', 'x'], command: 'state', commandArgs: ['x'] },
  {
    name: '--root R',
    argv: ['--root', '/r', 'state', 'x'],
    command: 'state',
    commandArgs: ['x'],
    root: '/r',
  },
  {
    name: '--root=R',
    argv: ['--root=/r', 'state', 'x'],
    command: 'state',
    commandArgs: ['x'],
    root: '/r',
  },
  {
    name: '-root R',
    argv: ['-root', '/r', 'state', 'x'],
    command: 'state',
    commandArgs: ['x'],
    root: '/r',
  },
  { name: '-root=R', argv: ['-root=/r', 'list'], command: 'list', commandArgs: [], root: '/r' },
  {
    name: 'repeated --root: the last wins',
    argv: ['--root', '/a', '--root=/b', '-root', '/c', 'state', 'x'],
    command: 'state',
    commandArgs: ['x'],
    root: '/c',
  },
  {
    name: '--log X --log-format json',
    argv: ['--log', '/l.json', '--log-format', 'json', 'kill', 'x', '9'],
    command: 'kill',
    commandArgs: ['x', '9'],
    log: '/l.json',
    logFormat: 'json',
  },
  {
    name: 'a root value named like a subcommand',
    argv: ['--root', 'create', 'state', 'x'],
    command: 'state',
    commandArgs: ['x'],
    root: 'create',
  },
  {
    name: 'a log value named like a subcommand',
    argv: ['--log', 'run', '--log-format', 'checkpoint', 'delete', 'x'],
    command: 'delete',
    commandArgs: ['x'],
    log: 'run',
    logFormat: 'checkpoint',
  },
  {
    name: '--criu PATH',
    argv: ['--criu', 'restore', 'pause', 'x'],
    command: 'pause',
    commandArgs: ['x'],
  },
  { name: '-rootless V', argv: ['-rootless', 'false', 'list'], command: 'list', commandArgs: [] },
  { name: '--debug', argv: ['--debug', 'create', 'x'], command: 'create', commandArgs: ['x'] },
  {
    name: 'a root value named like an intercepted command',
    argv: ['--root', 'state', 'create', 'x'],
    command: 'create',
    commandArgs: ['x'],
    root: 'state',
  },
  {
    name: '-- ends the global flags',
    argv: ['--root', '/r', '--', 'create', 'x'],
    command: 'create',
    commandArgs: ['x'],
    root: '/r',
  },
  {
    name: '-- before a pass-through command',
    argv: ['--', 'state', 'x'],
    command: 'state',
    commandArgs: ['x'],
  },
  {
    name: 'a lone - is an argument, not a flag',
    argv: ['-', 'create', 'x'],
    command: '-',
    commandArgs: ['create', 'x'],
  },
  { name: 'no arguments', argv: [], command: undefined, commandArgs: [] },
  { name: '--help', argv: ['--help'], command: undefined, commandArgs: [], help: true },
  { name: '-h', argv: ['-h'], command: undefined, commandArgs: [], help: true },
  { name: '--version', argv: ['--version'], command: undefined, commandArgs: [], version: true },
  { name: '-v', argv: ['-v'], command: undefined, commandArgs: [], version: true },
  { name: '-version', argv: ['-version'], command: undefined, commandArgs: [], version: true },
  {
    name: '--root R --version',
    argv: ['--root', '/r', '--version'],
    command: undefined,
    commandArgs: [],
    version: true,
    root: '/r',
  },
  {
    name: '--version before an intercepted command',
    argv: ['--version', 'create', 'x'],
    command: 'create',
    commandArgs: ['x'],
    version: true,
  },
  {
    name: '-h before an intercepted command',
    argv: ['-h', 'run', 'x'],
    command: 'run',
    commandArgs: ['x'],
    help: true,
  },
  called(
    'podman (runtime_supports_json): create via conmon',
    ['--log-format=json', '--log', '/r/oci-log'],
    'create',
    CALLER_ARGS.podmanCreate,
    { log: '/r/oci-log', logFormat: 'json' },
  ),
  called('podman exec via conmon', [], 'exec', CALLER_ARGS.podmanExec),
  {
    name: 'podman kill (numeric signal)',
    argv: ['kill', 'x', '15'],
    command: 'kill',
    commandArgs: ['x', '15'],
  },
  {
    name: 'podman delete --force',
    argv: ['delete', '--force', 'x'],
    command: 'delete',
    commandArgs: ['--force', 'x'],
  },
  called(
    'podman checkpoint (repeated --leave-running)',
    [],
    'checkpoint',
    CALLER_ARGS.podmanCheckpoint,
  ),
  called('podman restore via conmon', [], 'restore', CALLER_ARGS.podmanRestore),
  {
    name: 'podman checkpoint probe',
    argv: ['checkpoint', '--help'],
    command: 'checkpoint',
    commandArgs: ['--help'],
  },
  called(
    'containerd create',
    CONTAINERD_GLOBALS,
    'create',
    CALLER_ARGS.containerdCreate,
    containerd,
  ),
  {
    name: 'containerd ps --format json',
    argv: [...CONTAINERD_GLOBALS, 'ps', '--format', 'json', 'x'],
    command: 'ps',
    commandArgs: ['--format', 'json', 'x'],
    ...containerd,
  },
  called(
    'containerd checkpoint',
    CONTAINERD_GLOBALS,
    'checkpoint',
    CALLER_ARGS.containerdCheckpoint,
    containerd,
  ),
  called(
    'containerd restore (-no-subreaper)',
    CONTAINERD_GLOBALS,
    'restore',
    CALLER_ARGS.containerdRestore,
    containerd,
  ),
  called(
    'CRI-O direct call (--systemd-cgroup)',
    ['--root', '/run/runc', '--systemd-cgroup'],
    'checkpoint',
    ['--file-locks', '--image-path', '/d/checkpoint', '--work-path', '/d', '--leave-running', 'x'],
    { root: '/run/runc', systemdCgroup: true },
  ),
  {
    name: 'CRI-O conmon create (--root=R)',
    argv: ['--root=/run/runc', 'create', '--bundle', '/b', '--pid-file', '/p', 'x'],
    command: 'create',
    commandArgs: ['--bundle', '/b', '--pid-file', '/p', 'x'],
    root: '/run/runc',
  },
  called('CRI-O conmon restore', ['--root=/run/runc'], 'restore', CALLER_ARGS.crioRestore, {
    root: '/run/runc',
  }),
  { name: 'CRI-O features probe', argv: ['features'], command: 'features', commandArgs: [] },
  {
    name: 'CRI-O restore probe',
    argv: ['restore', '--lsm-mount-context'],
    command: 'restore',
    commandArgs: ['--lsm-mount-context'],
  },
  {
    name: '--systemd-cgroup=false',
    argv: ['--systemd-cgroup=false', 'run', '-d', 'x'],
    command: 'run',
    commandArgs: ['-d', 'x'],
    systemdCgroup: false,
  },
];
