import { afterAll, beforeAll, expect, test } from 'vitest';
import { ErrorCode } from '../../src/core/errors.js';
import { openEtcd, type EtcdClient } from '../../src/etcd/index.js';
import { EtcdCluster } from '../helpers/etcd-cluster.js';

let cluster: EtcdCluster;
let etcd: EtcdClient;
let neighbour: EtcdClient;

beforeAll(async () => {
  cluster = await EtcdCluster.start();
  etcd = await openEtcd({ endpoints: cluster.endpoints(), tls: cluster.tls(), prefix: '/site-a' });
  neighbour = await openEtcd({
    endpoints: cluster.endpoints(),
    tls: cluster.tls(),
    prefix: '/site-b/',
  });
});

afterAll(async () => {
  etcd?.close();
  neighbour?.close();
  await cluster?.destroy();
});

test('put and get a JSON record, with its revisions', async () => {
  const { revision } = await etcd.put('groups/web', { members: ['a', 'b'], size: 2 });
  expect(await etcd.get('groups/web')).toEqual({
    key: 'groups/web',
    value: { members: ['a', 'b'], size: 2 },
    createRevision: revision,
    modRevision: revision,
    version: 1,
  });
  await etcd.put('groups/web', { members: ['a'], size: 1 });
  expect(await etcd.get('groups/web')).toMatchObject({ createRevision: revision, version: 2 });
  expect(await etcd.get('groups/none')).toBeUndefined();
  // Stored where etcdctl finds it: under the prefix, in the data namespace.
  expect(cluster.ctl(['get', '/site-a/data/groups/web', '--print-value-only']).trim()).toBe(
    '{"members":["a"],"size":1}',
  );
});

test('a write lands all its puts and deletes in one revision', async () => {
  await etcd.put('rounds/1', 'open');
  await etcd.put('rounds/2', 'open');
  const { revision } = await etcd.write([
    { type: 'put', key: 'rounds/3', value: 'open' },
    { type: 'delete', key: 'rounds/1' },
    { type: 'put', key: 'history/1', value: { outcome: 'commit' } },
  ]);
  const loaded = await etcd.load('rounds/');
  expect(loaded.records.map((r) => [r.key, r.value, r.modRevision === revision])).toEqual([
    ['rounds/2', 'open', false],
    ['rounds/3', 'open', true],
  ]);
  await etcd.write([{ type: 'delete-prefix', prefix: 'rounds/' }]);
  expect((await etcd.load('rounds/')).records).toEqual([]);
  expect((await etcd.get('history/1'))?.modRevision).toBe(revision);
});

test('load pages through many records in key order, all as of one revision', async () => {
  const ops = Array.from({ length: 120 }, (_, i) => ({
    type: 'put' as const,
    key: `log/${String(i).padStart(4, '0')}`,
    value: { i },
  }));
  const { revision } = await etcd.write(ops);
  // A put racing the load, on its last page: the load must show the state of one revision.
  const loading = etcd.load('log/', { pageSize: 7 });
  const changed = await etcd.put('log/0119', { i: 'changed' });
  const loaded = await loading;
  expect(loaded.records).toHaveLength(120);
  expect(loaded.records.map((r) => r.key)).toEqual(ops.map((op) => op.key));
  expect(loaded.revision).toBeGreaterThanOrEqual(revision);
  const expected = changed.revision <= loaded.revision ? { i: 'changed' } : { i: 119 };
  expect(loaded.records[119]?.value).toEqual(expected);
  expect(loaded.records.every((r) => r.modRevision <= loaded.revision)).toBe(true);
  await etcd.put('log/0005', { i: 'changed' });

  const now = await etcd.load('log/', { pageSize: 50 });
  expect(now.records[5]?.value).toEqual({ i: 'changed' });
  // Reading at an older revision gives the older state, for a record and for a load.
  expect((await etcd.get('log/0005', { revision }))?.value).toEqual({ i: 5 });
  const then = await etcd.load('log/', { revision, pageSize: 50 });
  expect(then.revision).toBe(revision);
  expect(then.records[5]?.value).toEqual({ i: 5 });
});

test('two installations with their own prefixes share one etcd without seeing each other', async () => {
  await etcd.put('shared-name', 'from a');
  await neighbour.put('shared-name', 'from b');
  expect((await etcd.get('shared-name'))?.value).toBe('from a');
  expect((await neighbour.get('shared-name'))?.value).toBe('from b');
  expect((await neighbour.load()).records.map((r) => r.key)).toEqual(['shared-name']);
  const a = await etcd.campaign('a');
  const b = await neighbour.campaign('b');
  expect((await etcd.leader())?.value).toBe('a');
  expect((await neighbour.leader())?.value).toBe('b');
  await Promise.all([a.resign(), b.resign()]);
});

test('a value that is not JSON, a write too large for one txn: errors that say what to do', async () => {
  cluster.ctl(['put', '/site-a/data/foreign', 'not json']);
  await expect(etcd.get('foreign')).rejects.toMatchObject({
    code: ErrorCode.Store,
    message: expect.stringContaining("etcd key 'foreign' does not hold JSON"),
  });
  const tooMany = Array.from({ length: 129 }, (_, i) => ({
    type: 'delete' as const,
    key: `x${i}`,
  }));
  await expect(etcd.write(tooMany)).rejects.toMatchObject({
    code: ErrorCode.Store,
    message: expect.stringContaining('give 1 to 128'),
  });
  await expect(
    etcd.write([
      { type: 'put', key: 'same', value: 1 },
      { type: 'put', key: 'same', value: 2 },
    ]),
  ).rejects.toMatchObject({
    code: ErrorCode.Store,
    message: expect.stringContaining('duplicate key'),
  });
});
