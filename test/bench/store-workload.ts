// What the store benchmarks share: four containers holding memory, podman's own way of storing
// their checkpoints (the baseline), and readings of memory and time.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RunOptions, RunResult } from '../helpers/run.js';

export const MEMBERS = ['m1', 'm2', 'm3', 'm4'];

/** A podman of the benchmark's own (the runtime, if any, already in its arguments). */
export interface BenchPodman {
  podman(args: readonly string[], options?: RunOptions): Promise<RunResult>;
}

/** sort keeps every line it reads: 184 MiB of random bytes is about 256 MiB of touched memory. */
export function holdMemory(inputMiB: number): string {
  return `(head -c ${inputMiB * 1024 * 1024} /dev/urandom; exec sleep 1000000) | sort >/dev/null`;
}

/** Waits (bounded) until every container's sort has read its input: RSS above it and steady. */
export async function waitForMemory(
  podman: BenchPodman,
  names: readonly string[],
  inputMiB: number,
): Promise<number[]> {
  let last: number[] = [];
  for (let i = 0; i < 300; i += 1) {
    const rss = await containersRss(podman, names);
    if (rss.length === names.length && rss.every((r, n) => r >= inputMiB && r === last[n]))
      return rss;
    last = rss;
    await sleep(1000);
  }
  throw new Error('the containers never filled their memory');
}

/** Each container's largest process RSS in MiB (podman top). */
export async function containersRss(
  podman: BenchPodman,
  names: readonly string[],
): Promise<number[]> {
  const out: number[] = [];
  for (const name of names) {
    // busybox runs sort as an applet of a forked sh: the largest process is the sort.
    const top = await podman.podman(['top', name, 'pid', 'rss']);
    const rss = top.stdout
      .split('\n')
      .slice(1)
      .map((l) => Number(l.trim().split(/\s+/)[1] ?? 0));
    out.push(Math.max(0, ...rss.filter(Number.isFinite)) / 1024);
  }
  return out;
}

/** --leave-running keeps podman's checkpoint dir; a stale one would be exported again. */
export async function clearCheckpoints(
  podman: BenchPodman,
  names: readonly string[],
): Promise<void> {
  for (const name of names) {
    const config = await podman.podman(['inspect', '--format', '{{.OCIConfigPath}}', name]);
    const bundle = config.stdout.trim().replace(/\/config\.json$/, '');
    if (bundle !== '') rmSync(join(bundle, 'checkpoint'), { recursive: true, force: true });
  }
}

/** podman's own way, the four at once: checkpoint --create-image, then podman push. */
export async function podmanWay(
  podman: BenchPodman,
  host: string,
  round: number,
  names: readonly string[],
): Promise<{ seconds: number; create: number; push: number }> {
  const started = process.hrtime.bigint();
  const ref = (member: string): string => `${host}/podman-way/${member}:round-${round}`;
  const created = await Promise.all(
    names.map((member) =>
      podman.podman(
        ['container', 'checkpoint', '--leave-running', '--create-image', ref(member), member],
        { timeoutMs: 600_000 },
      ),
    ),
  );
  for (const result of created)
    if (result.exitCode !== 0) throw new Error(`checkpoint --create-image: ${result.stderr}`);
  const create = Number(process.hrtime.bigint() - started) / 1e9;
  const pushed = await Promise.all(
    names.map((member) =>
      podman.podman(['push', '--tls-verify=false', ref(member)], { timeoutMs: 600_000 }),
    ),
  );
  for (const result of pushed)
    if (result.exitCode !== 0) throw new Error(`podman push: ${result.stderr}`);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  // Keep podman's storage from growing round after round.
  for (const member of names) await podman.podman(['rmi', ref(member)]);
  return { seconds, create, push: seconds - create };
}

/** A process's resident memory now (VmRSS) or at its peak (VmHWM), in MiB. */
export function processMiB(pid: number | 'self', field: 'VmRSS' | 'VmHWM'): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(
    new RegExp(`${field}:\\s+(\\d+) kB`),
  );
  return Number(line?.[1] ?? 0) / 1024;
}

/** Resets a process's peak (VmHWM) to its RSS now, so the next peak is the next work's. */
export function resetPeak(pid: number): void {
  // clear_refs 5: reset the peak resident set size (Linux >= 4.0).
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  return Number.isInteger(mid)
    ? ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2
    : (sorted[Math.floor(mid)] ?? 0);
}
