#!/usr/bin/node
// FAKE runc for machines without a usable CRIU. Every command runs the real runc, except that
// checkpoint and restore play CRIU's part: the action script from the container's
// org.criu.config runs in CRIU's order, with CRIU's variables and exit-code meanings, and the
// real container is frozen (runc pause) where CRIU freezes it. Faults for tests:
//   FAKE_CRIU_FAIL_AT=<action|dump|restore>  CRIU itself fails at that point
//   FAKE_RUNC_DIE_AT=<action>                this runc is SIGKILLed right after that action
//   FAKE_CRIU_DELAY=<action|freeze>:<ms>     CRIU takes that long before running the action
//                                            (or before freezing the container)
//   FAKE_RUNC_FDS=<file>                     checkpoint writes "<fd> <target>" per open fd there
// FAKE_CRIU_LOG=<file> gets one line per event: "<id> <event> <exit code> <ms since epoch>".
import { spawnSync } from 'node:child_process';
import {
  appendFileSync,
  mkdirSync,
  openSync,
  readFileSync,
  writeFileSync,
  existsSync,
  readdirSync,
  readlinkSync,
} from 'node:fs';
import { join, resolve } from 'node:path';

const REAL = process.env.FAKE_REAL_RUNC ?? '/usr/sbin/runc';
const argv = process.argv.slice(2);
const VALUE_GLOBALS = new Set(['root', 'log', 'log-format', 'criu', 'rootless']);
const VALUE_FLAGS = new Set([
  'image-path',
  'work-path',
  'parent-path',
  'status-fd',
  'page-server',
  'manage-cgroups-mode',
  'empty-ns',
  'console-socket',
  'bundle',
  'b',
  'pid-file',
  'lsm-profile',
  'lsm-mount-context',
]);

const globals = [];
let index = 0;
while (index < argv.length && argv[index].startsWith('-')) {
  const name = argv[index].replace(/^--?/, '').split('=')[0];
  globals.push(argv[index]);
  if (VALUE_GLOBALS.has(name) && !argv[index].includes('=')) globals.push(argv[++index]);
  index += 1;
}
const command = argv[index];
const flags = new Map();
let id;
for (let i = index + 1; i < argv.length; i += 1) {
  const arg = argv[i];
  if (!arg.startsWith('-')) {
    id = arg;
    break;
  }
  const [name, inline] = arg.replace(/^--?/, '').split('=');
  flags.set(name, inline ?? (VALUE_FLAGS.has(name) ? argv[++i] : 'true'));
}

function real(args, stdio = 'inherit') {
  return spawnSync(REAL, [...globals, ...args], { stdio, encoding: 'utf8' });
}
function die(message) {
  process.stderr.write(`criu failed: ${message}\n`);
  process.exit(1);
}
function hookOf(annotations) {
  const config = annotations?.['org.criu.config'];
  if (!config || !existsSync(config)) return undefined;
  const line = readFileSync(config, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('action-script='));
  return line?.slice('action-script='.length);
}
function record(event, code = 0) {
  if (process.env.FAKE_CRIU_LOG)
    appendFileSync(process.env.FAKE_CRIU_LOG, `${id} ${event} ${code} ${Date.now()}\n`);
}
function delayAt(name) {
  const [delayed, ms] = (process.env.FAKE_CRIU_DELAY ?? '').split(':');
  if (delayed === name) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Number(ms));
}
/** Runs the action script as CRIU does; returns its exit code. */
function action(script, name, imageFd, initPid) {
  delayAt(name);
  if (script === undefined) return 0;
  const env = {
    ...process.env,
    CRTOOLS_SCRIPT_ACTION: name,
    CRTOOLS_IMAGE_DIR: `/proc/${process.pid}/fd/${imageFd}`,
  };
  if (initPid !== undefined) env.CRTOOLS_INIT_PID = String(initPid);
  else delete env.CRTOOLS_INIT_PID;
  const result = spawnSync(script, [], { env, stdio: ['ignore', 'inherit', 'inherit'] });
  record(name, result.status ?? 1);
  if (process.env.FAKE_RUNC_DIE_AT === name) process.kill(process.pid, 'SIGKILL');
  return result.status ?? 1;
}
function hasOwnNetns(spec) {
  return (spec.linux?.namespaces ?? []).some((ns) => ns.type === 'network' && !ns.path);
}
const failAt = process.env.FAKE_CRIU_FAIL_AT;

function recordFds() {
  const file = process.env.FAKE_RUNC_FDS;
  if (!file) return;
  const lines = readdirSync('/proc/self/fd').map((fd) => {
    try {
      return `${fd} ${readlinkSync(`/proc/self/fd/${fd}`)}`;
    } catch {
      return `${fd} ?`;
    }
  });
  writeFileSync(file, lines.join('\n') + '\n');
}

function checkpoint() {
  recordFds();
  const state = JSON.parse(real(['state', id], 'pipe').stdout || 'null');
  if (state === null) die(`container ${id} does not exist`);
  const spec = JSON.parse(readFileSync(join(state.bundle, 'config.json'), 'utf8'));
  const script = hookOf(state.annotations);
  const imagePath = resolve(flags.get('image-path') || 'checkpoint');
  mkdirSync(imagePath, { recursive: true });
  const imageFd = openSync(imagePath, 'r');
  const pid = state.pid;
  if (failAt === 'pre-dump' || action(script, 'pre-dump', imageFd, pid) !== 0)
    die('pre-dump script failed');
  delayAt('freeze');
  real(['pause', id], 'ignore');
  record('frozen');
  const thawAndDie = (why) => {
    real(['resume', id], 'ignore');
    die(why);
  };
  if (hasOwnNetns(spec) && action(script, 'network-lock', imageFd, pid) !== 0)
    thawAndDie('network-lock script failed');
  if (failAt === 'dump') thawAndDie('dump failed (injected)');
  writeFileSync(
    join(imagePath, 'fake-criu-image.json'),
    JSON.stringify({ id, pid, spec: state.bundle }),
  );
  if (action(script, 'post-dump', imageFd, pid) !== 0) {
    if (hasOwnNetns(spec)) action(script, 'network-unlock', imageFd, pid);
    thawAndDie('post-dump script failed');
  }
  if (flags.has('leave-running')) {
    if (hasOwnNetns(spec)) action(script, 'network-unlock', imageFd, pid);
    real(['resume', id], 'ignore');
  } else {
    real(['kill', id, 'KILL'], 'ignore');
    for (let i = 0; i < 100 && real(['delete', '--force', id], 'ignore').status !== 0; i += 1);
  }
  process.exit(0);
}

function restore() {
  const bundle = resolve(flags.get('bundle') ?? flags.get('b') ?? '.');
  const spec = JSON.parse(readFileSync(join(bundle, 'config.json'), 'utf8'));
  const script = hookOf(spec.annotations);
  const imagePath = resolve(flags.get('image-path') || 'checkpoint');
  const imageFd = openSync(imagePath, 'r');
  if (action(script, 'pre-restore', imageFd, undefined) !== 0) die('pre-restore script failed');
  if (failAt === 'restore') die('restore failed (injected)');
  const createArgs = ['create', '--bundle', bundle];
  if (flags.has('pid-file')) createArgs.push('--pid-file', flags.get('pid-file'));
  // The restored tree exists but does not run: runc create stops before the user's process.
  if (real([...createArgs, id]).status !== 0) die('cannot create the restored tree');
  const pid = JSON.parse(real(['state', id], 'pipe').stdout).pid;
  const kill = (why) => {
    real(['delete', '--force', id], 'ignore');
    die(why);
  };
  for (const name of ['setup-namespaces', 'post-setup-namespaces', 'post-restore']) {
    if (action(script, name, imageFd, pid) !== 0) kill(`${name} script failed`);
  }
  if (hasOwnNetns(spec)) action(script, 'network-unlock', imageFd, pid);
  action(script, 'pre-resume', imageFd, pid);
  real(['start', id], 'ignore');
  record('started');
  action(script, 'post-resume', imageFd, pid);
  process.exit(0);
}

if (command === 'checkpoint' && !flags.has('help')) checkpoint();
else if (command === 'restore' && !flags.has('help')) restore();
else process.exit(real(argv.slice(globals.length)).status ?? 1);
