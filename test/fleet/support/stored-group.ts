import { existsSync, readFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { CliResult } from '../../cli/support/run-cli.js';
import { waitForMembers, type OneNodeFleet } from './fleet.js';

/** A stored checkpoint as `cohortctl checkpoints GROUP --json` prints it. */
export interface ListedCheckpoint {
  group: string;
  epoch: number;
  location: string;
  createdAt: string;
  members: {
    member: string;
    digest: string;
    size: number;
    reference: string;
    engine: string;
    bundle: string;
  }[];
}

/** A running pair `a`, `b` with one checkpoint stored at `location`; they run on after it. */
export async function startStoredPair(
  fleet: OneNodeFleet,
  group: string,
  location: string,
): Promise<{ names: string[]; epoch: number }> {
  const names = await Promise.all(['a', 'b'].map((m) => fleet.startMember(group, m, ['a', 'b'])));
  await waitForMembers(fleet.ctl, group, ['a', 'b']);
  const epoch = await storeCheckpoint(fleet, group, location);
  return { names, epoch };
}

/** `checkpoint GROUP --store LOCATION --leave-running`, which must succeed; its epoch. */
export async function storeCheckpoint(
  fleet: Pick<OneNodeFleet, 'ctl'>,
  group: string,
  location: string,
): Promise<number> {
  const result = await fleet.ctl(['checkpoint', group, '--store', location, '--leave-running']);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return Number(/: stored at epoch (\d+)/.exec(result.stdout)?.[1]);
}

export async function listCheckpoints(
  fleet: Pick<OneNodeFleet, 'ctl'>,
  group: string,
): Promise<ListedCheckpoint[]> {
  return JSON.parse(
    (await fleet.ctl(['checkpoints', group, '--json'])).stdout,
  ) as ListedCheckpoint[];
}

/** A refusal as users see it: exactly one line on stderr, and its own exit code. */
export function expectOneLineError(result: CliResult, code: number, pattern: RegExp): void {
  expect(result.stderr).toMatch(/^cohortctl: [^\n]+\n$/);
  expect(result.stderr).toMatch(pattern);
  expect(result.code).toBe(code);
}

/** `restore GROUP --from LOCATION` must succeed, and every member must then run. */
export async function expectRestores(
  fleet: Pick<OneNodeFleet, 'ctl' | 'state'>,
  group: string,
  location: string,
  names: readonly string[],
  epoch?: number,
): Promise<void> {
  const result = await fleet.ctl([
    'restore',
    group,
    '--from',
    location,
    ...(epoch === undefined ? [] : ['--epoch', String(epoch)]),
  ]);
  expect(result.stderr + criuLogOf(result.stderr)).toBe('');
  expect(result.code).toBe(0);
  for (const name of names) expect(await fleet.state(name)).toBe('running');
}

/** The end of the CRIU log a failed restore names, to see why in the test's output. */
function criuLogOf(stderr: string): string {
  const path = /CRIU's log: (\S+?)\)/.exec(stderr)?.[1];
  if (path === undefined || !existsSync(path)) return '';
  const lines = readFileSync(path, 'utf8').split('\n');
  const errors = lines.filter((line) => /error|fail/i.test(line)).slice(0, 20);
  return `\n--- ${path}\n${[...errors, '...', ...lines.slice(-10)].join('\n')}`;
}
