import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkSequence, type SequenceReport } from '../../src/demo/sequence.js';
import { createCohortPodman } from '../cli/support/cohort-podman.js';
import { realCriuTier } from '../criu/support/criu-tier.js';
import { podmanMissing } from '../helpers/podman.js';
import { registryMissing } from '../helpers/registry.js';
import { run } from '../helpers/run.js';
import { startTestSessionHost } from '../helpers/session-host.js';
import {
  eventually,
  newGroup,
  startOneNodeFleet,
  waitForMembers,
  type OneNodeFleet,
} from './support/fleet.js';
import { startSecureRegistry, type SecureRegistry } from './support/secure-registry.js';

const SKOPEO = '/usr/bin/skopeo';
const tier = await realCriuTier(
  'group checkpoints in a registry (podman)',
  podmanMissing() ??
    registryMissing() ??
    (existsSync(SKOPEO) ? undefined : `${SKOPEO} is not installed`),
);
const PORT = 7000;

/** The states (hex, as /proc/net/tcp writes them) of the TCP sockets on PORT in a namespace. */
async function tcpStates(netns: string): Promise<string[]> {
  const { stdout } = await execa('ip', [
    'netns',
    'exec',
    netns,
    'cat',
    '/proc/net/tcp',
    '/proc/net/tcp6',
  ]);
  const port = PORT.toString(16).toUpperCase().padStart(4, '0');
  return stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields[1]?.endsWith(`:${port}`) || fields[2]?.endsWith(`:${port}`))
    .map((fields) => fields[3] ?? '');
}
const USER = 'cohort';
const PASSWORD = 'a-registry-password';

interface Listed {
  group: string;
  epoch: number;
  location: string;
  createdAt: string;
  members: { member: string; digest: string; size: number; reference: string }[];
}

describe.skipIf(tier.skip !== undefined)(
  'podman groups stored in a TLS registry with password auth, read back by podman and skopeo',
  () => {
    let fleet: OneNodeFleet;
    let secure: SecureRegistry;
    let authFile: string;
    beforeAll(async () => {
      secure = await startSecureRegistry({ [USER]: PASSWORD });
      authFile = secure.authFile(USER, PASSWORD);
      fleet = await startOneNodeFleet(dirname(tier.skip === undefined ? tier.criu : ''), 15_000, {
        store: { tlsVerify: true, caFile: secure.caFile },
        agentEnv: { REGISTRY_AUTH_FILE: authFile },
        metrics: true,
      });
    });
    afterAll(async () => {
      await fleet?.stop();
      await secure?.stop();
    });

    const skopeo = (args: string[]) =>
      run(SKOPEO, [
        args[0] ?? 'inspect',
        '--cert-dir',
        secure.certDir,
        '--authfile',
        authFile,
        ...args.slice(1),
      ]);

    /** What the receiver got: one number a line, checked for gaps and repeats. */
    async function received(name: string): Promise<SequenceReport> {
      const read = await fleet.podman.podman(['exec', name, 'cat', '/tmp/received']);
      return checkSequence(read.exitCode === 0 ? read.stdout : '');
    }

    /** A running group of two counting members, `a` and `b`, known to cohortd. */
    async function startPair(group: string): Promise<string[]> {
      const names = await Promise.all(
        ['a', 'b'].map((m) => fleet.startMember(group, m, ['a', 'b'])),
      );
      await waitForMembers(fleet.ctl, group, ['a', 'b']);
      return names;
    }

    it('checkpoint --store oci:// stores every member; checkpoints, history, status and /metrics say so; skopeo reads the annotations', async () => {
      const group = newGroup();
      await startPair(group);
      const location = `oci://${secure.host}/cohort/${group}`;
      const result = await fleet.ctl(['checkpoint', group, '--store', location]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const epoch = Number(/: stored at epoch (\d+)/.exec(result.stdout)?.[1]);
      expect(result.stdout).toContain(`stored in ${location}\n`);
      expect(result.stdout).toMatch(/^a +node-a +[\d.]+ [KM]iB +sha256:[0-9a-f]{64}$/m);

      const listed = JSON.parse(
        (await fleet.ctl(['checkpoints', group, '--json'])).stdout,
      ) as Listed[];
      expect(listed).toHaveLength(1);
      const [stored] = listed;
      expect(stored).toMatchObject({ group, epoch, location });
      expect(Date.parse(stored?.createdAt ?? '')).toBeGreaterThan(Date.now() - 120_000);
      expect(stored?.members.map((m) => m.member)).toEqual(['a', 'b']);
      for (const member of stored?.members ?? []) {
        expect(member.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
        expect(member.size).toBeGreaterThan(1000);
      }
      const table = (await fleet.ctl(['checkpoints', group])).stdout;
      expect(table).toMatch(/^EPOCH +STORED +LOCATION +MEMBER +SIZE +DIGEST$/m);
      expect(table).toContain(stored?.members[1]?.digest);

      const history = JSON.parse((await fleet.ctl(['history', group, '--json'])).stdout) as {
        epoch: number;
        outcome: string;
      }[];
      expect(history.find((r) => r.epoch === epoch)?.outcome).toBe('stored');
      const status = JSON.parse((await fleet.ctl(['status', group, '--json'])).stdout) as {
        groups: { lastPermanent?: { epoch: number; outcome: string } }[];
      };
      expect(status.groups[0]?.lastPermanent).toMatchObject({ epoch, outcome: 'stored' });
      const shown = JSON.parse((await fleet.ctl(['group', 'show', group, '--json'])).stdout) as {
        latestStored?: { epoch: number; location: string };
      };
      expect(shown.latestStored).toMatchObject({ epoch, location });
      const metrics = await (
        await fetch(`http://${fleet.coordinator.running.metricsAddress}/metrics`)
      ).text();
      expect(metrics).toMatch(
        new RegExp(
          `cohort_group_round_seconds_count\\{group="${group}",kind="checkpoint",outcome="stored"\\} 1`,
        ),
      );

      // The group index: one entry per member, with the archive's digest as cohort recorded it.
      const raw = await skopeo([
        'inspect',
        '--raw',
        `docker://${secure.host}/cohort/${group}:epoch-${epoch}`,
      ]);
      expect(raw.exitCode, raw.stderr).toBe(0);
      const index = JSON.parse(raw.stdout) as {
        annotations: Record<string, string>;
        manifests: { annotations: Record<string, string> }[];
      };
      expect(index.annotations).toMatchObject({
        'io.cohort.group': group,
        'io.cohort.epoch': String(epoch),
      });
      expect(index.manifests.map((m) => m.annotations['io.cohort.archive.digest'])).toEqual(
        stored?.members.map((m) => m.digest),
      );
      // A member's image: podman's checkpoint annotations, and its one layer is the archive.
      const reference = `docker://${secure.host}/cohort/${group}/a:epoch-${epoch}`;
      const member = await skopeo(['inspect', reference]);
      expect(member.exitCode, member.stderr).toBe(0);
      expect((JSON.parse(member.stdout) as { Layers: string[] }).Layers).toEqual([
        stored?.members[0]?.digest,
      ]);
      const manifest = JSON.parse((await skopeo(['inspect', '--raw', reference])).stdout) as {
        annotations: Record<string, string>;
      };
      expect(manifest.annotations).toMatchObject({
        'io.cohort.group': group,
        'io.cohort.member': 'a',
        'io.podman.annotations.checkpoint.runtime.name': 'cohort',
        'io.podman.annotations.checkpoint.name': `${group}-a`,
      });
      // The registry really asks for the password: without one, skopeo is refused.
      const anonymous = await run(SKOPEO, [
        'inspect',
        '--cert-dir',
        secure.certDir,
        '--no-creds',
        `docker://${secure.host}/cohort/${group}/a:epoch-${epoch}`,
      ]);
      expect(anonymous.exitCode).not.toBe(0);
      expect(anonymous.stderr).toMatch(/unauthorized|authentication required/i);
    });

    it('podman pull, then podman container restore IMAGE, restores the members from the images cohort pushed', async () => {
      const group = newGroup();
      const names = await startPair(group);
      const location = `oci://${secure.host}/cohort/${group}`;
      const result = await fleet.ctl(['checkpoint', group, '--store', location]);
      expect(result.code, result.stderr).toBe(0);
      const epoch = Number(/: stored at epoch (\d+)/.exec(result.stdout)?.[1]);
      const before = await Promise.all(names.map((n) => fleet.count(n)));
      // One podman per member, each with a storage of its own (two nodes), told nothing by
      // cohort: only the registry is shared. (Two restores in one podman storage can wait on
      // each other's storage lock past the join deadline: one podman per node is the real case.)
      const criuDir = dirname(tier.skip === undefined ? tier.criu : '');
      const others = await Promise.all(
        names.map(() => createCohortPodman({ coordinator: fleet.coordinator.address, criuDir })),
      );
      // Each node's agent would host its members' sessions; here a host per podman stands in.
      const hosts = await Promise.all(others.map((other) => startTestSessionHost(other.stateDir)));
      try {
        const images = ['a', 'b'].map((m) => `${secure.host}/cohort/${group}/${m}:epoch-${epoch}`);
        const pull = ['pull', '--cert-dir', secure.certDir, '--authfile', authFile];
        const pulled = await Promise.all(
          others.map((other, i) => other.podman([...pull, images[i] ?? ''])),
        );
        for (const p of pulled) expect(p.exitCode, p.stderr).toBe(0);
        // Both at once: each joins the group's restore round, which needs every member.
        const restored = await Promise.all(
          others.map((other, i) =>
            other.podman(['--runtime', 'cohort', 'container', 'restore', images[i] ?? '']),
          ),
        );
        for (const r of restored) expect(r.exitCode, r.stderr).toBe(0);
        for (const [i, other] of others.entries()) {
          const name = names[i] ?? '';
          const inspect = await other.podman(['inspect', '--format', '{{.State.Status}}', name]);
          expect(inspect.stdout.trim()).toBe('running');
          const at = before[i] ?? 0;
          await eventually(async () => {
            const read = await other.podman(['exec', name, 'cat', '/tmp/count']);
            const now = Number(read.stdout.trim());
            // Continued from the checkpoint's count, not started again from 1.
            return read.exitCode === 0 && now > at && now < at + 600 ? true : undefined;
          }, `${name} counts on past ${at} on its own podman`);
        }
      } finally {
        for (const host of hosts) await host.stop();
        for (const other of others) await other.cleanup();
      }
    });

    it('a TCP connection between two members survives checkpoint, podman rm and restore from the registry', async () => {
      const group = newGroup();
      // Both members in one network namespace of the test's own: they talk over its loopback.
      const netns = `cohort-${group}`;
      await execa('ip', ['netns', 'add', netns]);
      try {
        await execa('ip', ['netns', 'exec', netns, 'ip', 'link', 'set', 'lo', 'up']);
        const network = ['--network', `ns:/run/netns/${netns}`];
        const members = ['receiver', 'sender'];
        // nc ends at EOF on its stdin: a sleep that never ends keeps the connection open.
        const receiver = await fleet.startMember(
          group,
          'receiver',
          members,
          `sleep 2147483647 | nc -l -p ${PORT} > /tmp/received`,
          network,
        );
        await eventually(
          async () => ((await tcpStates(netns)).includes('0A') ? true : undefined),
          'the receiver listens',
        );
        const sender = await fleet.startMember(
          group,
          'sender',
          members,
          `i=0; while :; do i=$((i+1)); echo $i; echo $i >> /tmp/sent; sleep 0.1; done | nc 127.0.0.1 ${PORT}`,
          network,
        );
        await waitForMembers(fleet.ctl, group, members);
        await eventually(
          async () => (((await received(receiver)).last ?? 0) >= 5 ? true : undefined),
          'five messages arrive',
        );
        const location = `oci://${secure.host}/cohort/${group}`;
        const checkpoint = await fleet.ctl([
          'checkpoint',
          group,
          '--store',
          location,
          '--tcp-established',
        ]);
        expect(checkpoint.code, checkpoint.stderr).toBe(0);
        const sentBefore = await fleet.count(sender, '/tmp/sent');
        expect(sentBefore).toBeGreaterThanOrEqual(5);
        await fleet.podman.podman(['rm', '--force', '--time', '0', receiver, sender]);
        expect(await tcpStates(netns)).toEqual([]);

        const restore = await fleet.ctl([
          'restore',
          group,
          '--from',
          location,
          '--tcp-established',
        ]);
        expect(restore.stderr).toBe('');
        expect(restore.code).toBe(0);
        expect([await fleet.state(receiver), await fleet.state(sender)]).toEqual([
          'running',
          'running',
        ]);
        // The same connection carries on: every number arrives once, in order, past the checkpoint.
        const report = await eventually(async () => {
          const now = await received(receiver);
          return (now.last ?? 0) > sentBefore + 5 ? now : undefined;
        }, 'messages sent after the restore arrive');
        expect(report).toMatchObject({ first: 1, gaps: [], repeats: [] });
        expect(await tcpStates(netns)).toContain('01');
      } finally {
        await fleet.podman.podman([
          'rm',
          '--force',
          '--time',
          '0',
          `${group}-receiver`,
          `${group}-sender`,
        ]);
        await execa('ip', ['netns', 'delete', netns], { reject: false });
      }
    });
  },
);
