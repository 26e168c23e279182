// The store library alone (no cohortd, no agent: see group-store-bench.ts for the whole path).
// Stores 4 podman containers' checkpoints in a local registry two ways, on the same containers:
// cohort's (podman --export into a FIFO, streamed, gzip'd, hashed and pushed, 4 at once) and
// podman's own (checkpoint --create-image, then podman push, 4 at once). Prints both times, the
// ratio, and the uploading process's peak RSS over its idle RSS.
// Run: node --import tsx test/bench/store-bench.ts [--mib N (184)] [--rounds N (3)]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import {
  makeExportFifo,
  openStore,
  parseStoreLocation,
  type PodmanInspect,
  type PodmanVersions,
  podmanCheckpointAnnotations,
  type StoredMember,
} from '../../src/store/index.js';
import { createPodmanEnv, PODMAN, type PodmanEnv } from '../helpers/podman.js';
import { startRegistry } from '../helpers/registry.js';
import { run } from '../helpers/run.js';
import {
  clearCheckpoints,
  holdMemory,
  median,
  MEMBERS,
  podmanWay,
  processMiB,
  waitForMemory,
} from './store-workload.js';

/** What the uploading process reports on stdout (one JSON line). */
interface UploadReport {
  seconds: number;
  idleRssMiB: number;
  peakRssMiB: number;
  stored: StoredMember[];
}

/** The uploading process: one putMember per container, each fed by podman through a FIFO. */
async function uploader(args: {
  location: string;
  epoch: number;
  env: Record<string, string>;
  annotations: Record<string, Record<string, string>>;
}): Promise<void> {
  const store = openStore(parseStoreLocation(args.location), { env: {}, tlsVerify: false });
  const work = mkdtempSync(join(tmpdir(), 'cohort-bench-fifo-'));
  await sleep(200);
  const idleRssMiB = processMiB('self', 'VmRSS');
  const started = process.hrtime.bigint();
  const stored = await Promise.all(
    MEMBERS.map(async (member) => {
      const fifo = await makeExportFifo(work);
      const put = store.putMember({
        group: 'bench',
        epoch: args.epoch,
        member,
        source: fifo.source,
        annotations: args.annotations[member] ?? {},
      });
      const podman = await run(
        PODMAN,
        [
          '--runtime',
          'runc',
          'container',
          'checkpoint',
          '--leave-running',
          '--export',
          fifo.path,
          '--compress',
          'none',
          member,
        ],
        { env: args.env, timeoutMs: 600_000 },
      );
      if (podman.exitCode !== 0)
        fifo.abort(new Error(`podman checkpoint ${member}: ${podman.stderr}`));
      const result = await put;
      await fifo.remove();
      return result;
    }),
  );
  await store.putCheckpoint({
    group: 'bench',
    epoch: args.epoch,
    createdAt: new Date().toISOString(),
    location: args.location,
    members: stored,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  rmSync(work, { recursive: true, force: true });
  const report: UploadReport = {
    seconds,
    idleRssMiB,
    peakRssMiB: processMiB('self', 'VmHWM'),
    stored,
  };
  process.stdout.write(JSON.stringify(report) + '\n');
}

async function cohortWay(
  location: string,
  epoch: number,
  podman: PodmanEnv,
  annotations: Record<string, Record<string, string>>,
): Promise<UploadReport> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), '--uploader'],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  child.stdin.end(JSON.stringify({ location, epoch, env: podman.env, annotations }));
  let out = '';
  child.stdout.on('data', (data: Buffer) => (out += data.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`the uploader exited ${code}`);
  return JSON.parse(out.trim().split('\n').pop() ?? '{}') as UploadReport;
}

async function main(): Promise<void> {
  const option = (name: string, fallback: number): number => {
    const at = process.argv.indexOf(name);
    return at < 0 ? fallback : Number(process.argv[at + 1]);
  };
  // sort keeps every line it reads: 184 MiB of random bytes is ~256 MiB of touched memory.
  const inputMiB = option('--mib', 184);
  const rounds = option('--rounds', 3);
  const registry = await startRegistry();
  const podman = await createPodmanEnv({ runtime: 'runc' });
  try {
    for (const member of MEMBERS) {
      const hold = holdMemory(inputMiB);
      await podman.podman(['run', '-d', '--name', member, podman.image, 'sh', '-c', hold]);
    }
    const rss = await waitForMemory(podman, MEMBERS, inputMiB);
    const versions: PodmanVersions = {
      podmanVersion: '4.3.1',
      criuVersion: '4.2.1',
      runtimeName: 'runc',
    };
    const annotations: Record<string, Record<string, string>> = {};
    for (const member of MEMBERS) {
      const [inspect] = JSON.parse(
        (await podman.podman(['container', 'inspect', member])).stdout,
      ) as PodmanInspect[];
      if (inspect !== undefined)
        annotations[member] = podmanCheckpointAnnotations(inspect, versions);
    }
    console.log(
      `4 busybox containers, each a sort holding ${inputMiB} MiB of /dev/urandom lines: RSS ${rss.map((r) => r.toFixed(0)).join(', ')} MiB`,
    );
    const location = `oci://${registry.host}/cohort/bench`;
    const cohortTimes: number[] = [];
    const podmanTimes: number[] = [];
    for (let round = 1; round <= rounds; round += 1) {
      await clearCheckpoints(podman, MEMBERS);
      const theirs = await podmanWay(podman, registry.host, round, MEMBERS);
      await clearCheckpoints(podman, MEMBERS);
      podmanTimes.push(theirs.seconds);
      console.log(
        `round ${round} podman: checkpoint --create-image ${theirs.create.toFixed(1)} s + push ${theirs.push.toFixed(1)} s = ${theirs.seconds.toFixed(1)} s`,
      );
      const ours = await cohortWay(location, round, podman, annotations);
      cohortTimes.push(ours.seconds);
      const stored = ours.stored
        .map((m) => `${(m.size / 2 ** 20).toFixed(0)}/${(m.uncompressedSize / 2 ** 20).toFixed(0)}`)
        .join(', ');
      console.log(
        `round ${round} cohort: export into FIFO, gzip, hash, push, commit: ${ours.seconds.toFixed(1)} s (gzip/tar MiB: ${stored})`,
      );
      console.log(
        `round ${round} uploader RSS: idle ${ours.idleRssMiB.toFixed(0)} MiB, peak ${ours.peakRssMiB.toFixed(0)} MiB, growth ${(ours.peakRssMiB - ours.idleRssMiB).toFixed(0)} MiB (goal <= 64)`,
      );
    }
    const ratio = median(cohortTimes) / median(podmanTimes);
    console.log(
      `median: cohort ${median(cohortTimes).toFixed(1)} s, podman ${median(podmanTimes).toFixed(1)} s, ratio ${ratio.toFixed(2)} (goal <= 0.8)`,
    );
  } finally {
    await podman.cleanup();
    await registry.stop();
  }
}

if (process.argv.includes('--uploader')) {
  let input = '';
  process.stdin.on('data', (data: Buffer) => (input += data.toString()));
  process.stdin.on('end', () => {
    uploader(JSON.parse(input) as Parameters<typeof uploader>[0]).catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
  });
} else {
  await main();
}
