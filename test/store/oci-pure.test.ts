import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { testDir } from './support/fixtures.js';
import { describe, expect, it } from 'vitest';
import { ErrorCode, isCohortError } from '../../src/core/errors.js';
import {
  checkpointAnnotations,
  chooseEpochsToDelete,
  criuVersionNumber,
  podmanCheckpointAnnotations,
  type StoredCheckpoint,
} from '../../src/store/index.js';
import { parseChallenge } from '../../src/store/oci/challenge.js';
import { authFiles, findCredentials } from '../../src/store/oci/credentials.js';
import { makeGroupIndex, readGroupIndex } from '../../src/store/oci/documents.js';
import { epochOfTag, memberComponent, parseDigestReference } from '../../src/store/oci/names.js';

const DIGEST = (c: string): string => `sha256:${c.repeat(64)}`;

describe('checkpoint image annotations', () => {
  const inspect = { Name: 'web', Image: 'a1b2', ImageName: 'localhost/busybox:1' };

  it("builds podman 4.3's, CRI-O's and checkpointctl's keys from podman inspect and versions", () => {
    const annotations = podmanCheckpointAnnotations(inspect, {
      podmanVersion: '4.3.1',
      criuVersion: '4.2.1',
      runtimeVersion: 'runc version 1.1.5',
      hostArch: 'amd64',
    });
    expect(annotations).toMatchObject({
      'io.podman.annotations.checkpoint.name': 'web',
      'io.podman.annotations.checkpoint.rootfsImageID': 'a1b2',
      'io.podman.annotations.checkpoint.rootfsImageName': 'localhost/busybox:1',
      'io.podman.annotations.checkpoint.rawImageName': 'localhost/busybox:1',
      'io.podman.annotations.checkpoint.podman.version': '4.3.1',
      'io.podman.annotations.checkpoint.criu.version': '40201',
      'io.podman.annotations.checkpoint.runtime.name': 'cohort',
      'io.podman.annotations.checkpoint.runtime.version': 'runc version 1.1.5',
      'io.podman.annotations.checkpoint.host.arch': 'amd64',
      'io.kubernetes.cri-o.annotations.checkpoint.name': 'web',
      'org.criu.checkpoint.container.name': 'web',
      'org.criu.checkpoint.engine.name': 'podman',
      'org.criu.checkpoint.runtime.name': 'cohort',
      'org.criu.checkpoint.criu.version': '40201',
    });
    expect(annotations).not.toHaveProperty(['io.podman.annotations.checkpoint.host.kernel']);
  });

  it('names the runtime as the restoring node knows it, when told', () => {
    const annotations = checkpointAnnotations({
      containerName: 'db',
      rootfsImageName: 'i',
      rootfsImageId: 'id',
      criuVersion: 40201,
      runtimeName: 'runc',
    });
    expect(annotations['io.podman.annotations.checkpoint.runtime.name']).toBe('runc');
  });

  it("writes CRIU's version in podman's integer form", () => {
    expect(criuVersionNumber('4.2.1')).toBe('40201');
    expect(criuVersionNumber('3.19')).toBe('31900');
    expect(criuVersionNumber(40201)).toBe('40201');
  });
});

describe('group index', () => {
  const store = {
    host: '127.0.0.1:5000',
    repository: 'cohort/web',
    text: 'oci://127.0.0.1:5000/cohort/web',
  };
  const record: StoredCheckpoint = {
    group: 'web',
    epoch: 7,
    createdAt: '2026-01-02T03:04:05.000Z',
    location: store.text,
    members: ['API', 'db'].map((member, i) => ({
      member,
      digest: DIGEST(String(i)),
      size: 100 + i,
      diffId: DIGEST(String(i + 5)),
      uncompressedSize: 1000 + i,
      reference: `127.0.0.1:5000/cohort/web/${memberComponent(member)}@${DIGEST(String(i + 2))}`,
    })),
  };
  const manifests = new Map(
    record.members.map((m, i) => [m.member, { digest: DIGEST(String(i + 2)), size: 500 }]),
  );

  it('lists every member image and reads back as the same record', () => {
    const index = makeGroupIndex(record, manifests);
    const json = JSON.parse(index.bytes.toString()) as {
      mediaType: string;
      manifests: unknown[];
      annotations: Record<string, string>;
    };
    expect(json.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    expect(json.manifests).toHaveLength(2);
    expect(json.annotations).toMatchObject({
      'io.cohort.group': 'web',
      'io.cohort.epoch': '7',
      'io.cohort.group.members': 'API,db',
    });
    expect(readGroupIndex(index.bytes, store)).toEqual(record);
  });

  it('is not read from a document cohort did not write', () => {
    expect(
      readGroupIndex(Buffer.from('{"schemaVersion":2,"manifests":[]}'), store),
    ).toBeUndefined();
    expect(readGroupIndex(Buffer.from('not json'), store)).toBeUndefined();
  });
});

describe('names in the registry', () => {
  it('keeps valid lowercase member names and encodes the others reversibly', () => {
    expect(memberComponent('db-1')).toBe('db-1');
    expect(memberComponent('API')).toBe('x-415049');
    expect(memberComponent('a..b')).toBe(`x-${Buffer.from('a..b').toString('hex')}`);
    expect(memberComponent('web-')).not.toBe(memberComponent('web'));
  });

  it('reads epochs from tags and digests from references', () => {
    expect(epochOfTag('epoch-12')).toBe(12);
    expect(epochOfTag('epoch-012')).toBeUndefined();
    expect(epochOfTag('latest')).toBeUndefined();
    expect(parseDigestReference(`h:1/a/b@${DIGEST('a')}`, 'h:1')).toEqual({
      repository: 'a/b',
      digest: DIGEST('a'),
    });
    expect(parseDigestReference(`other/a@${DIGEST('a')}`, 'h:1')).toBeUndefined();
  });
});

describe('retention', () => {
  it('deletes all but the newest N, never the latest', () => {
    expect(chooseEpochsToDelete([3, 9, 5, 7], 2)).toEqual([5, 3]);
    expect(chooseEpochsToDelete([3], 1)).toEqual([]);
    expect(chooseEpochsToDelete([], 3)).toEqual([]);
  });

  it('refuses to keep nothing', () => {
    expect(() => chooseEpochsToDelete([1, 2], 0)).toThrow(/keep at least 1/);
  });
});

describe('registry auth', () => {
  it('parses Bearer challenges with quoted commas', () => {
    expect(
      parseChallenge(
        'Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push"',
      ),
    ).toEqual({
      scheme: 'bearer',
      params: {
        realm: 'https://auth.example/token',
        service: 'registry.example',
        scope: 'repository:a/b:pull,push',
      },
    });
    expect(parseChallenge('Basic realm="cohort-test"')).toEqual({
      scheme: 'basic',
      params: { realm: 'cohort-test' },
    });
    expect(parseChallenge(null)).toBeUndefined();
  });

  it('looks in REGISTRY_AUTH_FILE, then XDG_RUNTIME_DIR, then ~/.docker, most specific entry first', () => {
    const dir = testDir('auth');
    const b64 = (s: string): string => Buffer.from(s).toString('base64');
    writeFileSync(
      join(dir, 'explicit.json'),
      JSON.stringify({ auths: { 'reg:5000/team': { auth: b64('team:t-pw') } } }),
    );
    const xdg = join(dir, 'xdg');
    const home = join(dir, 'home');
    for (const [path, auths] of [
      [join(xdg, 'containers', 'auth.json'), { 'reg:5000': { auth: b64('xdg:x-pw') } }],
      [
        join(home, '.docker', 'config.json'),
        { 'https://other:443/v1/': { auth: b64('docker:d:pw') } },
      ],
    ] as const) {
      mkdirSync(join(path, '..'), { recursive: true });
      writeFileSync(path, JSON.stringify({ auths }));
    }
    const env = {
      REGISTRY_AUTH_FILE: join(dir, 'explicit.json'),
      XDG_RUNTIME_DIR: xdg,
      HOME: home,
    };
    expect(authFiles(env)).toEqual([
      env.REGISTRY_AUTH_FILE,
      join(xdg, 'containers/auth.json'),
      join(home, '.docker/config.json'),
    ]);
    expect(findCredentials(env, 'reg:5000', 'team/app')).toEqual({
      username: 'team',
      password: 't-pw',
    });
    expect(findCredentials(env, 'reg:5000', 'other/app')).toEqual({
      username: 'xdg',
      password: 'x-pw',
    });
    expect(findCredentials(env, 'other:443', 'x')).toEqual({
      username: 'docker',
      password: 'd:pw',
    });
    expect(findCredentials(env, 'nowhere:1', 'x')).toBeUndefined();
    expect(findCredentials({}, 'reg:5000', 'x')).toBeUndefined();
  });

  it('says which auth file is broken', () => {
    const dir = testDir('auth');
    writeFileSync(join(dir, 'auth.json'), '{not json');
    let error: unknown;
    try {
      findCredentials({ REGISTRY_AUTH_FILE: join(dir, 'auth.json') }, 'reg', 'x');
    } catch (caught) {
      error = caught;
    }
    expect(isCohortError(error, ErrorCode.StoreAuth)).toBe(true);
    expect((error as Error).message).toContain(join(dir, 'auth.json'));
  });
});
