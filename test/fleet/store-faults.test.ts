import { readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.js';
import { realCriuTier } from '../criu/support/criu-tier.js';
import { podmanMissing } from '../helpers/podman.js';
import { freePort, registryMissing } from '../helpers/registry.js';
import { newGroup, startOneNodeFleet, waitForMembers, type OneNodeFleet } from './support/fleet.js';
import { startSecureRegistry, type SecureRegistry } from './support/secure-registry.js';
import {
  expectOneLineError,
  expectRestores,
  listCheckpoints,
  startStoredPair,
} from './support/stored-group.js';

/** A location as a pattern that matches it literally. */
const escape = (text: string) => text.replace(/[./]/g, '\\$&');

const tier = await realCriuTier(
  'store faults seen through cohortctl (podman)',
  podmanMissing() ?? registryMissing(),
);

/**
 * Each fault reaches the user as one line naming the store and the fix, with its own exit code;
 * the previous stored checkpoint stays the latest, and restores.
 */
describe.skipIf(tier.skip !== undefined)('store faults, through cohortd and its agent', () => {
  let fleet: OneNodeFleet;
  let secure: SecureRegistry;
  beforeAll(async () => {
    secure = await startSecureRegistry({ cohort: 'right-password' });
    const authFile = secure.authFile('cohort', 'right-password');
    fleet = await startOneNodeFleet(dirname(tier.skip === undefined ? tier.criu : ''), 15_000, {
      store: { tlsVerify: true, caFile: secure.caFile },
      agentEnv: { REGISTRY_AUTH_FILE: authFile },
    });
  });
  afterAll(async () => {
    await fleet?.stop();
    await secure?.stop();
  });

  /**
   * Refused before a round was opened: the members run, the group's last round is still the
   * stored checkpoint, and it is still the latest stored (the store was only read). The
   * faults that do write to the store (store-damage, upload-killed) restore it afterwards.
   */
  async function expectUntouched(group: string, names: readonly string[], epoch: number) {
    for (const name of names) expect(await fleet.state(name)).toBe('running');
    const history = JSON.parse((await fleet.ctl(['history', group, '--json'])).stdout) as {
      epoch: number;
      outcome: string;
    }[];
    expect(history.map((r) => [r.epoch, r.outcome])).toEqual([[epoch, 'stored']]);
    expect((await listCheckpoints(fleet, group)).map((c) => c.epoch)).toEqual([epoch]);
  }

  const locationOf = (group: string, namespace = 'cohort') =>
    `oci://${secure.host}/${namespace}/${group}`;

  it('a registry that does not answer: exit 6 naming it, before any member is dumped; the previous checkpoint stays the latest', async () => {
    const group = newGroup();
    const location = locationOf(group);
    const { names, epoch } = await startStoredPair(fleet, group, location);
    const nowhere = `oci://127.0.0.1:${await freePort()}/cohort/${group}`;
    // Without --leave-running: were the dump to run, it would stop the members.
    const result = await fleet.ctl(['checkpoint', group, '--store', nowhere]);
    expectOneLineError(
      result,
      EXIT.storeUnreachable,
      new RegExp(
        `checkpoint of group ${group} not started: store ${escape(nowhere)} is unreachable: .+; .+`,
      ),
    );
    await expectUntouched(group, names, epoch);
  });

  it('credentials the registry refuses: exit 7 naming the store and the fix, before any member is dumped', async () => {
    const group = newGroup();
    const location = locationOf(group);
    const { names, epoch } = await startStoredPair(fleet, group, location);
    // The auth file's entry for this namespace has a password the registry does not take.
    const refused = locationOf(group, 'refused');
    const authFile = fleet.node.agentEnv.REGISTRY_AUTH_FILE ?? '';
    const good = JSON.parse(readFileSync(authFile, 'utf8')) as {
      auths: Record<string, { auth: string }>;
    };
    good.auths[`${secure.host}/refused`] = {
      auth: Buffer.from('cohort:wrong-password').toString('base64'),
    };
    writeFileSync(authFile, JSON.stringify(good));
    const result = await fleet.ctl(['checkpoint', group, '--store', refused]);
    expectOneLineError(
      result,
      EXIT.storeAuth,
      new RegExp(`store ${escape(refused)} refused access: .+; .+`),
    );
    await expectUntouched(group, names, epoch);
  });

  it('an epoch the store does not hold: exit 4, listing the ones it does; the group runs on', async () => {
    const group = newGroup();
    const location = locationOf(group);
    const { names, epoch } = await startStoredPair(fleet, group, location);
    const result = await fleet.ctl(['restore', group, '--from', location, '--epoch', '999']);
    expectOneLineError(
      result,
      EXIT.notFound,
      new RegExp(`store ${escape(location)} has no .*999.*${epoch}`),
    );
    // Refused before anything was touched: the members still run, nothing half-restored.
    for (const name of names) expect(await fleet.state(name)).toBe('running');
    await expectRestores(fleet, group, location, names, epoch);
  });

  it("a store that holds another group's checkpoints: exit 10 to checkpoint or restore; that group's stay intact and latest", async () => {
    const owner = newGroup();
    const location = locationOf(owner);
    const { names, epoch } = await startStoredPair(fleet, owner, location);
    const other = newGroup();
    await Promise.all(['a', 'b'].map((m) => fleet.startMember(other, m, ['a', 'b'])));
    await waitForMembers(fleet.ctl, other, ['a', 'b']);
    const pattern = new RegExp(
      `store ${escape(location)} holds group ${owner}'s checkpoints, not group ${other}'s; .+`,
    );
    const checkpoint = await fleet.ctl([
      'checkpoint',
      other,
      '--store',
      location,
      '--leave-running',
    ]);
    expectOneLineError(checkpoint, EXIT.storeWrongGroup, pattern);
    expectOneLineError(
      await fleet.ctl(['restore', other, '--from', location]),
      EXIT.storeWrongGroup,
      pattern,
    );
    await expectUntouched(owner, names, epoch);
    for (const name of [`${other}-a`, `${other}-b`])
      expect(await fleet.state(name)).toBe('running');
  });
});
