import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './runc.js';

/** A recording stand-in for runc (see the script's header). */
export const FAKE_RUNC = join(REPO_ROOT, 'test', 'fakes', 'fake-runc');
/** A recording wrapper around the real node, to see whether the front door started Node. */
export const FAKE_NODE = join(REPO_ROOT, 'test', 'fakes', 'fake-node');

/** One call of fake-runc, as it saw it. */
export interface FakeRuncCall {
  pid: number;
  /** argv after argv[0], byte for byte. */
  args: Buffer[];
  env: Map<string, string>;
  cwd: string;
  /** Open fds and their targets, without the fd the shell holds its own script on. */
  fds: Map<number, string>;
  limits: string;
  status: string;
}

/** Makes (if needed) and returns the record dir fake-runc writes to via FAKE_RUNC_RECORD. */
export function fakeRuncRecordDir(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Every call fake-runc recorded in `dir`, oldest first. */
export function readFakeRuncCalls(dir: string): FakeRuncCall[] {
  if (!existsSync(dir)) return [];
  const self = realpathSync(FAKE_RUNC);
  return readdirSync(dir)
    .map((name) => join(dir, name))
    .filter((path) => existsSync(join(path, 'status')))
    .map((path) => {
      const cmdline = readFileSync(join(path, 'cmdline'));
      // The kernel runs "/bin/sh <script> args...": drop the interpreter and script path.
      const args = splitNul(cmdline).slice(2);
      const env = new Map<string, string>();
      for (const entry of splitNul(readFileSync(join(path, 'environ')))) {
        const text = entry.toString('utf8');
        const eq = text.indexOf('=');
        env.set(text.slice(0, eq), text.slice(eq + 1));
      }
      const fds = new Map<number, string>();
      for (const line of readFileSync(join(path, 'fds'), 'utf8').split('\n')) {
        const match = / (\d+) -> (.*)$/.exec(line);
        if (match === null) continue;
        if (match[2] === self) continue;
        fds.set(Number(match[1]), match[2] as string);
      }
      return {
        pid: Number(readFileSync(join(path, 'pid'), 'utf8').trim()),
        args,
        env,
        cwd: readFileSync(join(path, 'cwd'), 'utf8').trim(),
        fds,
        limits: readFileSync(join(path, 'limits'), 'utf8'),
        status: readFileSync(join(path, 'status'), 'utf8'),
      };
    })
    .sort((a, b) => a.pid - b.pid);
}

/** One start of Node by the front door: the script it ran and the arguments after it. */
export interface FakeNodeCall {
  script: string;
  args: Buffer[];
}

/** The Node starts fake-node recorded in `dir` (the same dir as fake-runc's may be used). */
export function readFakeNodeCalls(dir: string): FakeNodeCall[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.startsWith('node.'))
    .map((name) => {
      // "/bin/sh <fake-node> <script> args...": keep the script and what follows.
      const [script, ...args] = splitNul(readFileSync(join(dir, name))).slice(2);
      return { script: script?.toString('utf8') ?? '', args };
    });
}

function splitNul(buffer: Buffer): Buffer[] {
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < buffer.length; i += 1) {
    if (buffer[i] === 0) {
      parts.push(buffer.subarray(start, i));
      start = i + 1;
    }
  }
  if (start < buffer.length) parts.push(buffer.subarray(start));
  return parts;
}
