import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse, stringify } from 'smol-toml';
import { checkSequence, type SequenceReport } from '../../../src/demo/sequence.js';
import { ANNOTATION } from '../../../src/spec/annotations.js';
import { createPodmanEnv, type PodmanEnv } from '../../helpers/podman.js';
import type { RunResult } from '../../helpers/run.js';

const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * A private podman (test/helpers/podman.ts) running bin/cohort by its absolute path, with the
 * usable CRIU's directory first in PATH: podman's own (which its checkpoint hands the runtime)
 * and conmon's (which create and restore get, through conmon_env_vars).
 */
export async function createCriuPodman(criu: string): Promise<PodmanEnv> {
  const podman = await createPodmanEnv();
  const path = `${dirname(criu)}:${SYSTEM_PATH}`;
  const confPath = podman.env.CONTAINERS_CONF ?? '';
  const conf = parse(readFileSync(confPath, 'utf8')) as { engine?: Record<string, unknown> };
  conf.engine = { ...conf.engine, conmon_env_vars: [`PATH=${path}`] };
  writeFileSync(confPath, stringify(conf));
  podman.env.PATH = `${path}:${podman.env.PATH ?? ''}`;
  return podman;
}

/** The annotations of one member; podman splits at commas unless the whole KEY=VALUE is quoted. */
export function memberAnnotations(
  group: string,
  member: string,
  members: readonly string[],
  coordinator: string,
): string[] {
  return [
    `${ANNOTATION.group}=${group}`,
    `${ANNOTATION.member}=${member}`,
    `"${ANNOTATION.members}=${members.join(',')}"`,
    // podman hands a runtime's checkpoint no COHORT_CONFIG: the coordinator travels with the container.
    `${ANNOTATION.coordinator}=${coordinator}`,
  ].flatMap((annotation) => ['--annotation', annotation]);
}

/** `podman run -d --network none` of one group member running a shell program. */
export async function runMember(
  podman: PodmanEnv,
  name: string,
  annotations: readonly string[],
  script: string,
): Promise<string> {
  const result = await podman.podman([
    'run',
    '-d',
    '--network',
    'none',
    '--name',
    name,
    ...annotations,
    podman.image,
    'sh',
    '-c',
    script,
  ]);
  if (result.exitCode !== 0) throw new Error(`podman run ${name}: ${result.stderr}`);
  return result.stdout.trim();
}

export async function containerStatus(podman: PodmanEnv, name: string): Promise<string> {
  const result = await podman.podman([
    'container',
    'inspect',
    '--format',
    '{{.State.Status}}',
    name,
  ]);
  return result.exitCode === 0 ? result.stdout.trim() : 'gone';
}

/** The counter's log read inside the running container, as a user would. */
export async function counterLog(podman: PodmanEnv, name: string): Promise<SequenceReport> {
  const result = await podman.podman(['exec', name, 'cat', '/tmp/count']);
  return checkSequence(result.exitCode === 0 ? result.stdout : '');
}

/** Waits (bounded) until a container's counter reaches `value`; a safety net, never an assertion. */
export async function waitForCount(podman: PodmanEnv, name: string, value: number): Promise<void> {
  let last: number | undefined;
  for (let attempt = 0; attempt < 100; attempt += 1) {
    last = (await counterLog(podman, name)).last;
    if ((last ?? 0) >= value) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the counter of ${name} never reached ${value}: ${last}`);
}

/** The manifest cohort wrote into the checkpoint podman keeps in the container's bundle. */
export async function checkpointManifest(
  podman: PodmanEnv,
  name: string,
): Promise<{ epoch: number; member: string } | undefined> {
  const path = join(await podman.bundleOf(name), 'checkpoint', 'cohort-manifest.json');
  return existsSync(path)
    ? (JSON.parse(readFileSync(path, 'utf8')) as { epoch: number; member: string })
    : undefined;
}

export function failureText(result: RunResult): string {
  return `${result.stdout}${result.stderr}`;
}
