import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/runc.js';
import { CONTAINERFILE, lastOf, readStages } from './kubernetes/containerfile.js';
import { findObject, type KubeObject } from './kubernetes/manifests.js';
import { DEFAULT_COORDINATOR, DEFAULT_STATE_DIR } from '../../src/config/schema.js';
import { ENGINES_DOC, readConfigFile } from './paths.js';
import {
  AGENT_UNIT,
  COHORTD_UNIT,
  execStart,
  readUnit,
  serviceValue,
  serviceValues,
} from './systemd/unit.js';

const doc = readFileSync(ENGINES_DOC, 'utf8');
const COMMANDS = ['cohort', 'cohortd', 'cohortctl'] as const;
// podman's drop-in also lists a second place, tried when the first does not exist.
const PODMAN_FALLBACK = '/usr/bin/cohort';

/** The install the docs give: `git clone URL DIR` and `ln -sf DIR/bin/NAME LINK` per command. */
function documentedInstall(): {
  dir: string;
  links: Record<string, { target: string; link: string }>;
} {
  const section = doc.slice(doc.indexOf('## Install cohort on a node'));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  const dir = /^git clone \S+ (\S+)$/m.exec(block)?.[1] ?? '';
  const links = Object.fromEntries(
    [...block.matchAll(/^ln -sf (\S+) (\S+)$/gm)].map(([, target = '', link = '']) => [
      link.split('/').at(-1),
      { target, link },
    ]),
  );
  return { dir, links };
}

/** The value at a key path of parsed TOML: at(conf, 'crio', 'runtime'). */
function at(value: unknown, ...keys: string[]): unknown {
  return keys.reduce<unknown>(
    (node, key) => (node as Record<string, unknown> | undefined)?.[key],
    value,
  );
}

type Workload = KubeObject & {
  spec: { template: { spec: { containers: { command: string[]; args: string[] }[] } } };
};
const containerOf = (file: string, kind: string) =>
  findObject<Workload>(file, kind).spec.template.spec.containers[0];
const commandOf = (file: string, kind: string) => containerOf(file, kind)?.command;
const UNITS = [COHORTD_UNIT, AGENT_UNIT];

describe('one install layout across the docs and every shipped file', () => {
  const { dir, links } = documentedInstall();
  const link = (name: (typeof COMMANDS)[number]) => links[name]?.link;
  const config = JSON.parse(readConfigFile('cohort.example.json')) as { node: string };

  it('docs/engines.md clones into one directory and links each command from its bin/ into one place', () => {
    expect(dir).toMatch(/^\/[\w/.-]+$/);
    expect(Object.keys(links).sort()).toEqual([...COMMANDS].sort());
    for (const name of COMMANDS) {
      expect(links[name]?.target).toBe(`${dir}/bin/${name}`);
      // The clone's file exists and runs: the link points at something real.
      accessSync(join(REPO_ROOT, 'bin', name), constants.X_OK);
    }
    expect(new Set(COMMANDS.map((name) => link(name)?.replace(/\/[^/]+$/, ''))).size).toBe(1);
    expect(doc).not.toMatch(/npm install -g/);
  });

  it('the engines run the linked cohort: containerd BinaryName, CRI-O runtime_path, podman runtimes', () => {
    const containerd = parse(readConfigFile('containerd/cohort.toml'));
    const cri = at(containerd, 'plugins', 'io.containerd.grpc.v1.cri', 'containerd', 'runtimes');
    expect(at(cri, 'cohort', 'options', 'BinaryName')).toBe(link('cohort'));
    const crio = parse(readConfigFile('crio/crio.conf.d/10-cohort.conf'));
    expect(at(crio, 'crio', 'runtime', 'runtimes', 'cohort', 'runtime_path')).toBe(link('cohort'));
    const podman = parse(readConfigFile('podman/containers.conf.d/cohort.conf'));
    expect(at(podman, 'engine', 'runtimes', 'cohort')).toEqual([link('cohort'), PODMAN_FALLBACK]);
  });

  it("the systemd units start the linked cohortd with the config's Node.js, and link the clone's docs", () => {
    for (const file of UNITS) {
      const unit = readUnit(file);
      expect(execStart(unit)[0], file).toBe(link('cohortd'));
      expect(serviceValues(unit, 'Environment'), file).toContain(`COHORT_NODE=${config.node}`);
      const [documentation] = unit.get('Unit')?.get('Documentation') ?? [];
      expect(documentation, file).toBe(`file://${dir}/${relative(REPO_ROOT, ENGINES_DOC)}`);
    }
    expect(doc).toContain(`Node.js at\n\`${config.node}\``);
  });

  it('the image lays the clone out in the same directory, and Kubernetes runs its cohortd', () => {
    const stages = readStages();
    const final = stages.at(-1) ?? [];
    expect(stages[0]?.[0]?.text).toBe('node:20-slim AS build');
    expect(final[0]?.text).toBe('node:20-slim');
    expect(lastOf(final, 'WORKDIR')?.text).toBe(dir);
    const entrypoint = JSON.parse(lastOf(final, 'ENTRYPOINT')?.text ?? '[]') as string[];
    expect(entrypoint).toEqual([`${dir}/bin/cohortd`]);
    expect(commandOf('kubernetes/cohortd.yaml', 'Deployment')).toEqual(entrypoint);
    // The agent runs the node's install, at the same path, after nsenter's `--`.
    expect(commandOf('kubernetes/agent.yaml', 'DaemonSet')?.slice(-2)).toEqual([
      '--',
      ...entrypoint,
    ]);
    // What the final stage copies from the clone exists in it, under the same names.
    for (const copy of final.filter((i) => i.keyword === 'COPY' && !i.text.startsWith('--from'))) {
      const sources = copy.words.slice(0, -1);
      for (const source of sources)
        expect(existsSync(join(REPO_ROOT, source)), `${CONTAINERFILE}: ${source}`).toBe(true);
    }
  });

  it('the state dir, the coordinator socket and the node TLS files agree across files', () => {
    const node = JSON.parse(readConfigFile('cohort.example.json')) as {
      stateDir: string;
      coordinator: { tls: Record<string, string> };
    };
    // The runtime's state dir (where the session host's FIFOs are) is the one both units keep.
    expect(node.stateDir).toBe(DEFAULT_STATE_DIR);
    for (const file of UNITS)
      expect(`/run/${serviceValue(readUnit(file), 'RuntimeDirectory')}`, file).toBe(node.stateDir);
    // The socket cohortd listens on, the agent dials, and the runtime's default coordinator.
    const socket = `unix://${node.stateDir}/cohortd.sock`;
    expect(DEFAULT_COORDINATOR).toBe(socket);
    for (const file of UNITS) expect(execStart(readUnit(file)).join(' '), file).toContain(socket);
    // The DaemonSet's node TLS files are the ones the node's config names for worker-1.
    const args = containerOf('kubernetes/agent.yaml', 'DaemonSet')?.args ?? [];
    const tls = Object.fromEntries(
      args
        .filter((arg) => arg.startsWith('--tls-'))
        .map((arg) => arg.slice('--tls-'.length).split('='))
        .map(([key = '', value = '']) => [key, value.replaceAll('$(NODE_NAME)', 'worker-1')]),
    );
    expect(tls).toEqual(node.coordinator.tls);
  });

  it("every cohort command path named in the docs and config/ is the link or the clone's file", () => {
    const allowed = new Set([
      ...COMMANDS.flatMap((name) => [link(name), `${dir}/bin/${name}`]),
      PODMAN_FALLBACK,
    ]);
    const files = [
      'cohort.example.json',
      'containerd/cohort.toml',
      'crio/crio.conf.d/10-cohort.conf',
      'podman/containers.conf.d/cohort.conf',
      ...UNITS,
      CONTAINERFILE,
      'kubernetes/agent.yaml',
      'kubernetes/cohortd.yaml',
    ].map((file) => [file, readConfigFile(file)]);
    const found = new Set<string>();
    for (const [file, text] of [...files, ['docs/engines.md', doc]]) {
      for (const [path] of (text ?? '').matchAll(/(?:\/[\w.-]+)*\/bin\/cohort(?:d|ctl)?\b/g)) {
        expect(allowed.has(path), `${file} names ${path}`).toBe(true);
        found.add(path);
      }
    }
    expect([...found]).toEqual(expect.arrayContaining([link('cohort'), `${dir}/bin/cohortd`]));
  });
});
