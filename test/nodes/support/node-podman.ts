import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'smol-toml';
import { DROP_IN } from '../../cli/support/cohort-podman.js';
import { createPodmanEnv, PODMAN, type PodmanEnv } from '../../helpers/podman.js';
import { run, type RunOptions, type RunResult } from '../../helpers/run.js';
import { COHORT_BIN, NODE, RUNC } from '../../helpers/runc.js';
import { killAll, processesWithEnv } from './processes.js';

const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

type Table = Record<string, unknown>;

/** One node's podman: its own storage, runc root, cohort state and cohort config. */
export interface NodePodman {
  base: PodmanEnv;
  /** podman's settings, the node's cohort config (COHORT_CONFIG) and CRIU first in PATH. */
  env: Record<string, string>;
  cohortConfig: string;
  /** runc's --root for this node's containers: no two nodes share container state. */
  runcRoot: string;
  image: string;
  /** podman in the node's network namespace with this node's settings. */
  podman(args: readonly string[], options?: RunOptions): Promise<RunResult>;
  cleanup(): Promise<void>;
}

export interface NodePodmanOptions {
  /** Runs a program in the node's network namespace (nsenter --net=… --). */
  prefix: readonly string[];
  /** The coordinator as the node reaches it (host:port), and the node's TLS pair. */
  coordinator: string;
  tls: { ca: string; cert: string; key: string };
  criuDir: string;
  /** The node's own directory in the cluster's: its runtime, runc root and agent files. */
  workDir: string;
}

/** Names the node's podman dir inside its work dir, for a later run's sweep. */
export const PODMAN_DIR_FILE = 'podman-dir';
/** podman's settings for the node, in its podman dir. */
export const NODE_CONTAINERS_CONF = 'containers-node.conf';

/**
 * podman for one test node (test/helpers/podman.ts's private settings, plus the shipped
 * drop-in as cohort-podman.ts merges it), except: containers share the node's network namespace
 * (netns host: podman runs inside the node's), runc keeps its state under the node's own root
 * (a runtime named cohort that passes --root), and the runtime joins rounds over TCP with the
 * node's certificate.
 */
export async function createNodePodman(o: NodePodmanOptions): Promise<NodePodman> {
  // podman names a runtime given by path after its file: this one is cohort, as on every node.
  mkdirSync(join(o.workDir, 'runtime'), { recursive: true });
  const base = await createPodmanEnv({ runtime: join(o.workDir, 'runtime', 'cohort') });
  writeFileSync(join(o.workDir, PODMAN_DIR_FILE), base.dir);
  const runcRoot = join(o.workDir, 'runc');
  mkdirSync(runcRoot, { recursive: true });
  const cohortConfig = join(base.dir, 'cohort.json');
  // podman passes runc no --root, and runs checkpoint with only PATH and XDG_RUNTIME_DIR: the
  // node's runtime adds its runc root and names the node's cohort config (its /etc/cohort).
  writeFileSync(
    base.runtime,
    `#!/bin/sh\nCOHORT_CONFIG=${cohortConfig} exec ${COHORT_BIN} --root ${runcRoot} "$@"\n`,
  );
  chmodSync(base.runtime, 0o755);
  writeFileSync(
    cohortConfig,
    JSON.stringify(
      {
        runc: RUNC,
        node: NODE,
        stateDir: join(base.dir, 'cohort-state'),
        coordinator: { address: o.coordinator, tls: o.tls },
      },
      null,
      2,
    ) + '\n',
  );
  const path = `${o.criuDir}:${SYSTEM_PATH}`;
  const dropIn = parse(readFileSync(DROP_IN, 'utf8')) as Table & {
    engine: { runtimes: Record<string, string[]> };
  };
  dropIn.engine.runtimes.cohort = [base.runtime];
  const settings = parse(readFileSync(base.env.CONTAINERS_CONF ?? '', 'utf8'));
  const node = {
    containers: { netns: 'host' },
    engine: { conmon_env_vars: [`PATH=${path}`, `COHORT_CONFIG=${cohortConfig}`] },
  };
  const merged = join(base.dir, NODE_CONTAINERS_CONF);
  writeFileSync(merged, stringify(merge(merge(settings, dropIn), node)));
  const env = {
    ...base.env,
    CONTAINERS_CONF: merged,
    COHORT_CONFIG: cohortConfig,
    PATH: `${path}:${base.env.PATH ?? ''}`,
  };
  const podman = (args: readonly string[], options: RunOptions = {}) =>
    run(o.prefix[0] ?? '', [...o.prefix.slice(1), PODMAN, ...args], { env, ...options });
  return {
    base,
    env,
    cohortConfig,
    runcRoot,
    image: base.image,
    podman,
    async cleanup() {
      // Containers made with the runtime named cohort are known only under this config.
      await podman(['rm', '--all', '--force', '--time', '0']);
      // A killed agent's children (podman events, a checkpoint it started) outlive it.
      killAll(processesWithEnv(`CONTAINERS_CONF=${merged}`));
      await base.cleanup();
    },
  };
}

function merge(base: Table, extra: Table): Table {
  const out: Table = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    const current = out[key];
    const tables = [current, value].every(
      (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
    );
    out[key] = tables ? merge(current as Table, value as Table) : value;
  }
  return out;
}
