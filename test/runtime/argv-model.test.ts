import { describe, expect, it } from 'vitest';
import { parseRuntimeArgv } from '../../src/runtime/argv.js';
import {
  parseCheckpointArgs,
  parseCreateArgs,
  parseRestoreArgs,
} from '../../src/runtime/command-args.js';
import { isSet, lastValue, parseFlags, type FlagSpec } from '../../src/runtime/flags.js';
import {
  CHECKPOINT_FLAGS,
  CREATE_FLAGS,
  GLOBAL_FLAGS,
  RESTORE_FLAGS,
} from '../../src/runtime/runc-cli.js';
import { run, RUNC } from '../helpers/runc.js';
import { ARGV_FORMS, CALLER_ARGS } from './argv-forms.js';

describe('parseRuntimeArgv: every argv form callers use', () => {
  it.each(ARGV_FORMS)('$name', (form) => {
    const parsed = parseRuntimeArgv(form.argv);
    expect(parsed.command).toBe(form.command);
    expect(parsed.commandArgs).toEqual(form.commandArgs);
    expect(parsed.globals.root).toBe(form.root);
    if (form.log !== undefined) expect(parsed.globals.log).toBe(form.log);
    if (form.logFormat !== undefined) expect(parsed.globals.logFormat).toBe(form.logFormat);
    expect(parsed.globals.systemdCgroup).toBe(form.systemdCgroup ?? false);
    expect(parsed.globals.version).toBe(form.version ?? false);
    expect(parsed.globals.help).toBe(form.help ?? false);
    // runc must get the argv unchanged: the split pieces add up to it, token for token.
    expect(parsed.raw).toEqual(form.argv);
    const rejoined = [
      ...parsed.globalArgs,
      ...(parsed.command === undefined ? [] : [parsed.command]),
      ...parsed.commandArgs,
    ];
    expect(rejoined).toEqual(form.argv);
  });

  it('does not change the array it was given', () => {
    const argv = ['--root', '/r', 'create', '--bundle', '/b', 'x'];
    const copy = [...argv];
    parseRuntimeArgv(argv);
    expect(argv).toEqual(copy);
  });
});

describe('parseFlags: Go flag package rules', () => {
  const table: FlagSpec[] = [
    { names: ['value', 'v'], takesValue: true },
    { names: ['flag', 'f'], takesValue: false },
  ];
  const cases: {
    argv: string[];
    values: Record<string, string[]>;
    unknown: string[];
    positionals: string[];
  }[] = [
    { argv: ['--value', 'a', 'p'], values: { value: ['a'] }, unknown: [], positionals: ['p'] },
    { argv: ['-value', 'a', 'p'], values: { value: ['a'] }, unknown: [], positionals: ['p'] },
    { argv: ['--value=a=b', 'p'], values: { value: ['a=b'] }, unknown: [], positionals: ['p'] },
    {
      argv: ['-v', 'a', '--v=b', '-value', 'c'],
      values: { value: ['a', 'b', 'c'] },
      unknown: [],
      positionals: [],
    },
    {
      argv: ['--value', '--flag', 'p'],
      values: { value: ['--flag'] },
      unknown: [],
      positionals: ['p'],
    },
    { argv: ['--value=', 'p'], values: { value: [''] }, unknown: [], positionals: ['p'] },
    // A boolean takes only the =v form: the next word is a positional.
    {
      argv: ['--flag', 'false', 'p'],
      values: { flag: ['true'] },
      unknown: [],
      positionals: ['false', 'p'],
    },
    { argv: ['--flag=false', 'p'], values: { flag: ['false'] }, unknown: [], positionals: ['p'] },
    {
      argv: ['-f', '-f', 'p'],
      values: { flag: ['true', 'true'] },
      unknown: [],
      positionals: ['p'],
    },
    { argv: ['--', '--flag', 'p'], values: {}, unknown: [], positionals: ['--flag', 'p'] },
    {
      argv: ['--flag', '--', 'p', '--', 'q'],
      values: { flag: ['true'] },
      unknown: [],
      positionals: ['p', '--', 'q'],
    },
    { argv: ['p', '--flag'], values: {}, unknown: [], positionals: ['p', '--flag'] },
    { argv: ['-', '--flag'], values: {}, unknown: [], positionals: ['-', '--flag'] },
    {
      argv: ['--other', '-x=1', 'p'],
      values: {},
      unknown: ['--other', '-x=1'],
      positionals: ['p'],
    },
    { argv: [], values: {}, unknown: [], positionals: [] },
  ];
  it.each(cases)('$argv', ({ argv, values, unknown, positionals }) => {
    const parsed = parseFlags(argv, table);
    expect(Object.fromEntries(parsed.values)).toEqual(values);
    expect(parsed.unknown).toEqual(unknown);
    expect(parsed.positionals).toEqual(positionals);
  });

  it('reads the last of repeated values, and false only from an explicit =false', () => {
    const parsed = parseFlags(['--value', 'a', '--value', 'b', '--flag', '--flag=false'], table);
    expect(lastValue(parsed, 'value')).toBe('b');
    expect(isSet(parsed, 'flag')).toBe(false);
    expect(isSet(parseFlags(['-f=false', '-f'], table), 'flag')).toBe(true);
    expect(isSet(parseFlags([], table), 'flag')).toBe(false);
  });
});

describe('booleans read as Go reads them (strconv.ParseBool)', () => {
  const table: FlagSpec[] = [{ names: ['detach', 'd'], takesValue: false }];
  it.each(['1', 't', 'T', 'TRUE', 'true', 'True'])('--detach=%s is set', (value) => {
    expect(isSet(parseFlags([`--detach=${value}`, 'x'], table), 'detach')).toBe(true);
  });
  it.each(['0', 'f', 'F', 'FALSE', 'false', 'False'])('--detach=%s is not set', (value) => {
    expect(isSet(parseFlags([`--detach=${value}`, 'x'], table), 'detach')).toBe(false);
  });
});

describe('create/run arguments', () => {
  const cwd = '/work/dir';
  const cases: {
    name: string;
    argv: string[];
    bundle: string;
    id: string | undefined;
    help?: boolean;
  }[] = [
    { name: '--bundle B id', argv: ['--bundle', '/b', 'x'], bundle: '/b', id: 'x' },
    { name: '-b B id', argv: ['-b', '/b', 'x'], bundle: '/b', id: 'x' },
    { name: '--bundle=B id', argv: ['--bundle=/b', 'x'], bundle: '/b', id: 'x' },
    {
      name: 'relative bundle against cwd',
      argv: ['-bundle', 'rel/b', 'x'],
      bundle: '/work/dir/rel/b',
      id: 'x',
    },
    { name: 'no bundle: cwd', argv: ['x'], bundle: cwd, id: 'x' },
    {
      name: 'repeated bundle: the last wins',
      argv: ['-b', '/a', '--bundle', '/b', 'x'],
      bundle: '/b',
      id: 'x',
    },
    {
      name: 'podman via conmon',
      argv: CALLER_ARGS.podmanCreate,
      bundle: '/b',
      id: 'x',
    },
    {
      name: 'containerd',
      argv: CALLER_ARGS.containerdCreate,
      bundle: '/b',
      id: 'x',
    },
    {
      name: 'value flags before the id',
      argv: ['--pid-file', 'x.pid', '--console-socket', 's', 'x'],
      bundle: cwd,
      id: 'x',
    },
    {
      name: 'booleans before the id',
      argv: ['--no-pivot', '--no-new-keyring', '-d', '--keep', 'x'],
      bundle: cwd,
      id: 'x',
    },
    {
      name: 'run --no-subreaper',
      argv: ['--no-subreaper', '-b', '/b', 'x'],
      bundle: '/b',
      id: 'x',
    },
    { name: '-- before the id', argv: ['--bundle', '/b', '--', 'x'], bundle: '/b', id: 'x' },
    { name: 'no id', argv: ['--bundle', '/b'], bundle: '/b', id: undefined },
    { name: '--help', argv: ['--help'], bundle: cwd, id: undefined, help: true },
    { name: '-h with an id', argv: ['-h', 'x'], bundle: cwd, id: 'x', help: true },
  ];
  it.each(cases)('$name', ({ argv, bundle, id, help }) => {
    const parsed = parseCreateArgs(argv, cwd);
    expect(parsed.bundle).toBe(bundle);
    expect(parsed.id).toBe(id);
    expect(parsed.help).toBe(help ?? false);
  });
});

describe('checkpoint arguments', () => {
  const cwd = '/work/dir';
  it('podman: repeated --leave-running, --pre-dump, --parent-path', () => {
    const parsed = parseCheckpointArgs(CALLER_ARGS.podmanCheckpoint, cwd);
    expect(parsed).toEqual({
      id: 'x',
      imagePath: '/b/checkpoint',
      workPath: '/b',
      leaveRunning: true,
      preDump: true,
      help: false,
    });
  });
  it('containerd', () => {
    const parsed = parseCheckpointArgs(CALLER_ARGS.containerdCheckpoint, cwd);
    expect(parsed).toEqual({
      id: 'x',
      imagePath: '/p',
      workPath: '/w',
      leaveRunning: true,
      preDump: false,
      help: false,
    });
  });
  it('CRI-O', () => {
    const parsed = parseCheckpointArgs(
      ['--file-locks', '--image-path', '/d/checkpoint', '--work-path', '/d', 'x'],
      cwd,
    );
    expect(parsed).toEqual({
      id: 'x',
      imagePath: '/d/checkpoint',
      workPath: '/d',
      leaveRunning: false,
      preDump: false,
      help: false,
    });
  });
  it('defaults the image path to ./checkpoint, as runc does, also for an empty value', () => {
    expect(parseCheckpointArgs(['x'], cwd).imagePath).toBe('/work/dir/checkpoint');
    expect(parseCheckpointArgs(['--image-path=', 'x'], cwd).imagePath).toBe('/work/dir/checkpoint');
    expect(parseCheckpointArgs(['--image-path', 'img', 'x'], cwd).imagePath).toBe('/work/dir/img');
  });
  it('value flags never become the id', () => {
    const parsed = parseCheckpointArgs(
      [
        '--status-fd',
        '5',
        '--page-server',
        'h:1',
        '--manage-cgroups-mode',
        'soft',
        '--empty-ns',
        'network',
        'x',
      ],
      cwd,
    );
    expect(parsed.id).toBe('x');
  });
  it('--leave-running=false and the probe --help', () => {
    expect(parseCheckpointArgs(['--leave-running=false', 'x'], cwd).leaveRunning).toBe(false);
    const probe = parseCheckpointArgs(['--help'], cwd);
    expect(probe.help).toBe(true);
    expect(probe.id).toBeUndefined();
  });
});

describe('restore arguments', () => {
  const cwd = '/work/dir';
  it('containerd: -no-subreaper (single dash) before --bundle', () => {
    const parsed = parseRestoreArgs(CALLER_ARGS.containerdRestore, cwd);
    expect(parsed).toEqual({
      id: 'x',
      bundle: '/b',
      imagePath: '/p',
      workPath: '/w',
      detach: true,
      help: false,
    });
  });
  it('podman via conmon', () => {
    const parsed = parseRestoreArgs(CALLER_ARGS.podmanRestore, cwd);
    expect(parsed).toEqual({
      id: 'x',
      bundle: '/b',
      imagePath: '/b/checkpoint',
      workPath: '/b',
      detach: true,
      help: false,
    });
  });
  it('CRI-O via conmon: --lsm-profile=, --lsm-mount-context=, --no-pivot', () => {
    const parsed = parseRestoreArgs(CALLER_ARGS.crioRestore, cwd);
    expect(parsed).toEqual({
      id: 'x',
      bundle: '/b',
      imagePath: '/d/checkpoint',
      workPath: '/b',
      detach: true,
      help: false,
    });
  });
  it('short flags, defaults and explicit false', () => {
    expect(parseRestoreArgs(['-d', '-b', 'rel', 'x'], cwd)).toEqual({
      id: 'x',
      bundle: '/work/dir/rel',
      imagePath: '/work/dir/checkpoint',
      detach: true,
      help: false,
    });
    expect(parseRestoreArgs(['--detach=false', 'x'], cwd).detach).toBe(false);
  });
  it('the CRI-O probe (a value flag with no value) finds no id', () => {
    expect(parseRestoreArgs(['--lsm-mount-context'], cwd).id).toBeUndefined();
  });
});

/** The flags `runc <command> --help` lists: every name and whether it takes a value. */
async function runcHelpFlags(command: string | undefined): Promise<FlagSpec[]> {
  const result = await run(RUNC, command === undefined ? ['--help'] : [command, '--help']);
  const section = result.stdout.split(/^(?:GLOBAL )?OPTIONS:$/m)[1] ?? '';
  const flags: FlagSpec[] = [];
  for (const line of section.split('\n')) {
    const match = /^\s+(--?[a-z][-a-z]*(?: value)?(?:, -{1,2}[a-z][-a-z]*(?: value)?)*)\s{2,}/.exec(
      line,
    );
    if (match === null) continue;
    const parts = (match[1] as string).split(', ');
    flags.push({
      names: parts.map((part) => part.replace(/^-+/, '').replace(/ value$/, '')),
      takesValue: parts.some((part) => part.endsWith(' value')),
    });
  }
  return flags;
}

describe('the flag tables cover the installed runc', () => {
  const tables: [string | undefined, readonly FlagSpec[]][] = [
    [undefined, GLOBAL_FLAGS],
    ['create', CREATE_FLAGS],
    ['run', CREATE_FLAGS],
    ['checkpoint', CHECKPOINT_FLAGS],
    ['restore', RESTORE_FLAGS],
  ];
  it.each(tables)('runc %s --help', async (command, table) => {
    const runcFlags = await runcHelpFlags(command);
    expect(runcFlags.length).toBeGreaterThan(3);
    // A value flag missing from the table would make its value look like the container id.
    const missing = runcFlags.filter(
      (flag) =>
        !table.some(
          (spec) =>
            spec.takesValue === flag.takesValue &&
            flag.names.every((name) => spec.names.includes(name)),
        ),
    );
    expect(missing).toEqual([]);
  });
});
