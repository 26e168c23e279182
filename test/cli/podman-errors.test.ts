import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.js';
import { podmanAnnotation } from './support/cohort-podman.js';
import { podmanMissing } from '../helpers/podman.js';
import { RUNTIME_ENTRY } from '../helpers/runc.js';
import { existsSync } from 'node:fs';
import {
  eventually,
  newGroup,
  startOneNodeFleet,
  type OneNodeFleet,
} from '../fleet/support/fleet.js';
import type { CliResult } from './support/run-cli.js';

const missing =
  podmanMissing() ?? (existsSync(RUNTIME_ENTRY) ? undefined : `${RUNTIME_ENTRY} is not built`);
if (missing !== undefined)
  console.log(`skipping cohortctl checkpoint/restore refusals: ${missing}`);

/**
 * Bad input to cohortctl checkpoint and restore of podman groups through cohortd: each is
 * refused before any member is touched, with one line and its own exit code. Nothing here dumps:
 * no CRIU is needed.
 */
describe.skipIf(missing !== undefined)('cohortctl checkpoint/restore refusals (podman)', () => {
  let fleet: OneNodeFleet;
  beforeAll(async () => {
    fleet = await startOneNodeFleet('');
  });
  afterAll(async () => {
    await fleet?.stop();
  });

  function expectRefusal(result: CliResult, code: number, message: RegExp) {
    // At most the verb's heading: no member line, no outcome.
    expect(result.stdout).toMatch(/^((checkpoint|restore) of group \S+\n)?$/);
    expect(result.stderr).toMatch(/^cohortctl: [^\n]+\n$/);
    expect(result.stderr).toMatch(message);
    expect(result.code).toBe(code);
  }

  /** A podman container declaring `member` of `group`, created (and started unless told not to). */
  async function container(group: string, member: string, name: string, start = true) {
    const annotations = [`io.cohort.group=${group}`, `io.cohort.member=${member}`];
    const result = await fleet.podman.podman([
      '--runtime',
      'cohort',
      start ? 'run' : 'create',
      ...(start ? ['-d'] : []),
      '--name',
      name,
      ...annotations.flatMap((a) => ['--annotation', podmanAnnotation(a)]),
      fleet.podman.image,
      'sleep',
      '600',
    ]);
    expect(result.exitCode, result.stderr).toBe(0);
  }

  /** Waits until cohortd's agent has reported `count` containers of `group`. */
  async function reported(group: string, count: number) {
    await eventually(async () => {
      const view = JSON.parse((await fleet.ctl(['group', 'show', group, '--json'])).stdout) as {
        members: unknown[];
      };
      return view.members.length === count ? true : undefined;
    }, `cohortd hears of ${count} containers of ${group}`);
  }

  it('exits 4 for a group no node reports', async () => {
    const group = newGroup();
    expectRefusal(
      await fleet.ctl(['checkpoint', group]),
      EXIT.notFound,
      new RegExp(`no connected node reports a member of group ${group}: start its containers`),
    );
  });

  it('exits 2 for a restore with no store named, and none in the policy', async () => {
    const group = newGroup();
    expectRefusal(
      await fleet.ctl(['restore', group]),
      EXIT.usage,
      new RegExp(`group ${group} has no store in its policy; name one with --from LOCATION`),
    );
  });

  it('exits 4 for a restore from a store that holds nothing of the group', async () => {
    const group = newGroup();
    expectRefusal(
      await fleet.ctl(['restore', group, '--from', `dir:/tmp/${group}-nothing-here`]),
      EXIT.notFound,
      new RegExp(`store dir:/tmp/${group}-nothing-here has no .*checkpoint.* of group ${group}`),
    );
  });

  it('exits 2 for a location that is neither dir: nor oci://, naming the option', async () => {
    const group = newGroup();
    expectRefusal(
      await fleet.ctl(['checkpoint', group, '--store', 'ftp://example/x']),
      EXIT.usage,
      /store "ftp:\/\/example\/x": the location must start with dir: or oci:\/\/; give dir:\/.+ or oci:\/\/.+/,
    );
    expectRefusal(
      await fleet.ctl(['restore', group, '--from', 'dir:relative/path']),
      EXIT.usage,
      /from "dir:relative\/path": a dir: store needs an absolute path/,
    );
  });

  it('exits 2 for an epoch that is not a whole number from 1', async () => {
    expectRefusal(
      await fleet.ctl(['restore', newGroup(), '--from', 'dir:/tmp/x', '--epoch', '0']),
      EXIT.usage,
      /--epoch must be a whole number from 1/,
    );
  });

  it('refuses (exit 1) to checkpoint a group whose member is created but not running, and starts nothing', async () => {
    const group = newGroup();
    await container(group, 'one', `${group}-one`, false);
    await reported(group, 1);
    expectRefusal(
      await fleet.ctl(['checkpoint', group]),
      EXIT.failed,
      new RegExp(
        `group ${group}: one on node-a is stopped; only running members can be checkpointed: start them, or restore the group`,
      ),
    );
    expect(await fleet.state(`${group}-one`)).toBe('created');
  });

  it('refuses (exit 1) when two containers claim one member name, naming it and the fix', async () => {
    const group = newGroup();
    await container(group, 'same', `${group}-1`);
    await container(group, 'same', `${group}-2`);
    await reported(group, 2);
    expectRefusal(
      await fleet.ctl(['checkpoint', group]),
      EXIT.failed,
      new RegExp(
        `member same of group ${group} is reported by nodes .+; give each container its own member name, or remove one`,
      ),
    );
    for (const name of [`${group}-1`, `${group}-2`])
      expect(await fleet.state(name)).toBe('running');
  });
});
