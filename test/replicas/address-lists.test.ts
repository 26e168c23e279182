import { describe, expect, it } from 'vitest';
import { resolveCoordinatorTarget } from '../../src/cli/coordinator-target.js';
import { parseConfig } from '../../src/config/load.js';
import { channelFor } from '../../src/coordinator/client/channel.js';
import { Replicas } from '../../src/coordinator/client/replicas.js';
import { advertisedAddresses } from '../../src/coordinator/replica/advertise.js';
import { notLeaderError } from '../../src/coordinator/replica/refusal.js';
import { parseAddressList } from '../../src/core/address-list.js';
import { CohortError, ErrorCode } from '../../src/core/errors.js';
import { parseDaemonArgs } from '../../src/daemon/parse-args.js';
import { readGroupDeclaration } from '../../src/spec/annotations.js';

const declare = (coordinator: string) =>
  readGroupDeclaration({ 'io.cohort.group': 'g', 'io.cohort.coordinator': coordinator }, 'c1');

describe('several coordinator addresses, wherever one was taken', () => {
  it.each([
    ['10.0.0.1:7443', ['10.0.0.1:7443']],
    // podman splits an unquoted --annotation value on commas: "+" needs no quoting.
    [
      '10.0.0.1:7443+10.0.0.2:7443+[fd00::3]:7443',
      ['10.0.0.1:7443', '10.0.0.2:7443', '[fd00::3]:7443'],
    ],
    ['a.example:7443, b.example:7443', ['a.example:7443', 'b.example:7443']],
    ['unix:///run/cohort/cohortd.sock', ['unix:///run/cohort/cohortd.sock']],
  ])('the io.cohort.coordinator annotation %j', (text, addresses) => {
    expect(declare(text)?.coordinator).toEqual(addresses);
  });

  it.each(['10.0.0.1:7443+', '10.0.0.1:7443+nowhere', 'a:1+a:1', '10.0.0.1:7443;10.0.0.2:7443'])(
    'refuses the annotation %j, naming the list form',
    (text) => {
      expect(() => declare(text)).toThrow(
        /annotation io\.cohort\.coordinator: .*several replicas joined by "\+" \(podman needs no quoting then\), e\.g\. 10\.0\.0\.1:7443\+10\.0\.0\.2:7443/,
      );
    },
  );

  it('takes coordinator.address as one string or a list in the config file', () => {
    const one = parseConfig({ coordinator: { address: 'unix:///x.sock' } }, 'c.json');
    expect(one.coordinator.address).toEqual(['unix:///x.sock']);
    const list = parseConfig(
      { coordinator: { address: ['10.0.0.1:7443', '10.0.0.2:7443'], insecure: true } },
      'c.json',
    );
    expect(list.coordinator.address).toEqual(['10.0.0.1:7443', '10.0.0.2:7443']);
    const failure = (raw: unknown) => {
      try {
        parseConfig(raw, 'c.json');
        return '';
      } catch (error) {
        return (error as CohortError).message;
      }
    };
    expect(
      failure({ coordinator: { address: ['10.0.0.1:7443', 'h:99999'], insecure: true } }),
    ).toContain('must be unix:///path or host:port with a port from 1 to 65535 (got "h:99999")');
    expect(failure({ coordinator: { address: ['a:1', 'a:1'], insecure: true } })).toContain(
      'names a:1 twice',
    );
    expect(failure({ coordinator: { address: ['unix:///x', '10.0.0.2:7443'] } })).toContain(
      'is TCP (10.0.0.2:7443) but no "tls" is set',
    );
  });

  it('gives cohortctl every --coordinator, checked one by one', () => {
    const config = parseConfig({ coordinator: { insecure: true } }, 'c.json');
    const target = resolveCoordinatorTarget(['10.0.0.1:7443', '10.0.0.2:7443'], config, 'c.json');
    expect(target.addresses).toEqual(['10.0.0.1:7443', '10.0.0.2:7443']);
    expect(() => resolveCoordinatorTarget(['10.0.0.1:7443', 'x'], config, 'c.json')).toThrow(
      /--coordinator: "x" is not an address/,
    );
    expect(resolveCoordinatorTarget(undefined, config, 'c.json').addresses).toEqual([
      'unix:///run/cohort/cohortd.sock',
    ]);
  });
});

describe("cohortd's replica flags", () => {
  const base = ['--no-agent', '--listen', '127.0.0.1:7443', '--insecure'];

  it('reads --etcd-endpoints (commas or repeated), TLS files, the prefix and --advertise', async () => {
    const parsed = await parseDaemonArgs([
      ...base,
      ...['--etcd-endpoints', 'https://10.0.0.1:2379,https://10.0.0.2:2379'],
      ...['--etcd-endpoints', 'https://10.0.0.3:2379', '--etcd-prefix', '/team-a/'],
      ...['--etcd-ca', '/pki/ca.crt', '--etcd-cert', '/pki/etcd-client.crt'],
      ...['--etcd-key', '/pki/etcd-client.key', '--etcd-request-timeout', '5s'],
      ...['--advertise', '10.0.1.5:7443'],
    ]);
    expect(parsed).toMatchObject({
      kind: 'run',
      options: {
        etcd: {
          endpoints: ['https://10.0.0.1:2379', 'https://10.0.0.2:2379', 'https://10.0.0.3:2379'],
          prefix: '/team-a/',
          requestTimeoutMs: 5_000,
          tls: { ca: '/pki/ca.crt', cert: '/pki/etcd-client.crt', key: '/pki/etcd-client.key' },
        },
        advertise: ['10.0.1.5:7443'],
      },
    });
    expect(await parseDaemonArgs(base)).not.toHaveProperty('options.etcd');
  });

  it.each([
    [['--etcd-endpoints', 'https://e:2379'], 'add --no-agent'],
    [[...base, '--etcd-ca', '/ca'], 'add --etcd-endpoints'],
    [[...base, '--advertise', '10.0.0.1:7443'], 'add --etcd-endpoints'],
    [[...base, '--etcd-endpoints', 'https://e:2379', '--etcd-cert', '/c'], 'go together'],
    [
      [...base, '--etcd-endpoints', 'https://e:2379', '--etcd-cert', '/c', '--etcd-key', '/k'],
      'needs --etcd-ca',
    ],
    [
      [...base, '--etcd-endpoints', 'https://e:2379', '--advertise', 'nowhere'],
      '--advertise "nowhere" is not an address',
    ],
  ])('refuses %j: %s', async (argv, message) => {
    const error = await parseDaemonArgs(argv).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: ErrorCode.Argv,
      message: expect.stringContaining(message),
    });
  });

  it('advertises its TCP listeners unless told, a wildcard host as this machine', () => {
    expect(advertisedAddresses(undefined, ['unix:///a.sock', '10.0.0.1:7443'])).toEqual([
      '10.0.0.1:7443',
    ]);
    expect(advertisedAddresses(['lb.example:7443'], ['10.0.0.1:7443'])).toEqual([
      'lb.example:7443',
    ]);
    expect(advertisedAddresses(undefined, ['unix:///a.sock'])).toEqual(['unix:///a.sock']);
    expect(advertisedAddresses(undefined, ['0.0.0.0:7443'])[0]).toMatch(/^[^0].*:7443$/);
  });
});

describe('finding the leader', () => {
  const leaderInfo = (addresses: string[]) => ({
    key: '/cohort/election/1',
    value: { addresses, pid: 1 },
    createRevision: 5,
    lease: '1',
  });

  it("a follower's refusal names the leader in the list form; without one it says why", () => {
    const named = notLeaderError(
      ['10.0.0.2:7443'],
      leaderInfo(['10.0.0.1:7443', '10.0.1.1:7443']),
      undefined,
    );
    expect(named).toMatchObject({
      code: ErrorCode.NotLeader,
      details: { leader: '10.0.0.1:7443+10.0.1.1:7443', follower: '10.0.0.2:7443' },
    });
    const quorum = new CohortError(ErrorCode.EtcdNoQuorum, 'etcd lost quorum');
    expect(notLeaderError(['10.0.0.2:7443'], undefined, quorum).message).toBe(
      'no cohortd replica leads right now (no replica can be elected: etcd lost quorum); try again in a few seconds',
    );
    expect(
      notLeaderError(['10.0.0.2:7443'], leaderInfo(['10.0.0.2:7443']), undefined).details.leader,
    ).toBeUndefined();
  });

  it('a client goes where the refusal points, or to the next replica; a leader just found dead is passed over', () => {
    const replicas = new Replicas(['10.0.0.1:7443', '10.0.0.2:7443', '10.0.0.3:7443'], (a) =>
      channelFor(a, undefined, true),
    );
    const refusal = (leader?: string) =>
      new CohortError(ErrorCode.NotLeader, 'follower', {
        details: leader === undefined ? {} : { leader },
      });
    expect(replicas.address).toBe('10.0.0.1:7443');
    expect(replicas.moveOn('10.0.0.1:7443', refusal('10.0.0.3:7443'))).toBe(true);
    expect(replicas.address).toBe('10.0.0.3:7443');
    // A leader outside the list is added: the client can still reach it.
    expect(replicas.moveOn('10.0.0.3:7443', refusal('10.0.9.9:7443+10.0.9.8:7443'))).toBe(true);
    expect(replicas.addresses).toContain('10.0.9.9:7443');
    // Unreachable: the next address; a hint back to it is ignored for a moment.
    replicas.moveOn('10.0.9.9:7443', new CohortError(ErrorCode.Unreachable, 'gone'));
    expect(replicas.address).toBe('10.0.0.1:7443');
    expect(replicas.moveOn('10.0.0.1:7443', refusal('10.0.9.9:7443'))).toBe(false);
    expect(replicas.address).toBe('10.0.0.2:7443');
    replicas.close();
    expect(parseAddressList('a:1+b:2', { source: 'x' })).toEqual(['a:1', 'b:2']);
  });
});
