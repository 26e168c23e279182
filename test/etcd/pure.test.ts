import { status } from '@grpc/grpc-js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ErrorCode } from '../../src/core/errors.js';
import { classifyFailure, shorten } from '../../src/etcd/connection/classify-failure.js';
import { parseEndpoint } from '../../src/etcd/endpoints.js';
import { Keyspace, normalizePrefix, prefixEnd } from '../../src/etcd/keyspace.js';
import { buildTxn } from '../../src/etcd/kv/build-txn.js';
import { ETCD_DEFAULTS, normalizeEtcdOptions } from '../../src/etcd/options.js';

describe('endpoints', () => {
  test.each([
    ['https://127.0.0.1:2379', true, '127.0.0.1:2379'],
    ['127.0.0.1:2379', true, '127.0.0.1:2379'],
    ['etcd-1.example:2379', false, 'etcd-1.example:2379'],
    ['http://etcd-1:2379/', false, 'etcd-1:2379'],
    ['https://[::1]:2379', true, '[::1]:2379'],
  ])('%s (tls %s) dials %s', (text, tls, address) => {
    expect(parseEndpoint(text, tls).address).toBe(address);
  });

  test.each([
    ['127.0.0.1', true, 'is not of the form'],
    ['https://127.0.0.1:99999', true, 'is not of the form'],
    ['http://127.0.0.1:2379', true, 'write https://127.0.0.1:2379'],
    ['https://127.0.0.1:2379', false, 'give etcd.tls.ca'],
  ])('%s (tls %s) is refused: %s', (text, tls, fix) => {
    expect(() => parseEndpoint(text, tls)).toThrow(fix);
  });
});

describe('keys', () => {
  test.each([
    ['a', 'b'],
    ['a\xff', 'b'],
    ['/cohort/', '/cohort0'],
  ])('the range of prefix %j ends at %j', (key, end) => {
    expect(prefixEnd(Buffer.from(key, 'latin1')).toString('latin1')).toBe(end);
  });

  test('a prefix of only 0xff bytes, or none, runs to the end of the keyspace', () => {
    expect(prefixEnd(Buffer.from([0xff, 0xff]))).toEqual(Buffer.from([0]));
    expect(prefixEnd(Buffer.alloc(0))).toEqual(Buffer.from([0]));
  });

  test('records and the election live apart under one prefix', () => {
    const space = new Keyspace(normalizePrefix('/site'));
    expect(space.dataKey('election/x').toString()).toBe('/site/data/election/x');
    expect(space.electionKey('1234567890123456789')).toBe('/site/election/112210f47de98115');
    expect(() => space.dataKey('')).toThrow('must not be empty');
    expect(() => normalizePrefix('')).toThrow('etcd.prefix');
  });
});

describe('writes', () => {
  const space = new Keyspace('/p/');
  test('a fenced write compares the election key create revision and reads it on failure', () => {
    const txn = buildTxn(space, [{ type: 'put', key: 'k', value: { a: 1 } }], {
      key: '/p/election/1f',
      createRevision: 42,
    });
    expect(txn.compare).toEqual([
      {
        key: Buffer.from('/p/election/1f'),
        target: 'CREATE',
        result: 'EQUAL',
        createRevision: '42',
      },
    ]);
    expect(txn.success).toEqual([
      { requestPut: { key: Buffer.from('/p/data/k'), value: Buffer.from('{"a":1}') } },
    ]);
    expect(txn.failure).toEqual([{ requestRange: { key: Buffer.from('/p/election/1f') } }]);
  });

  test('an unfenced write has no compare; delete-prefix deletes a range', () => {
    const txn = buildTxn(space, [{ type: 'delete-prefix', prefix: 'r/' }]);
    expect(txn.compare).toEqual([]);
    expect(txn.success).toEqual([
      {
        requestDeleteRange: { key: Buffer.from('/p/data/r/'), rangeEnd: Buffer.from('/p/data/r0') },
      },
    ]);
  });
});

describe('failures', () => {
  const endpoint = parseEndpoint('https://127.0.0.1:2379', true);
  test.each([
    [
      status.UNAVAILABLE,
      'No connection established. Last error: connect ECONNREFUSED 127.0.0.1:2379 (2026-01-01T00:00:00.000Z). Resolution note: x',
      'connect',
      'connect ECONNREFUSED 127.0.0.1:2379',
    ],
    [
      status.UNAVAILABLE,
      'No connection established. Last error: 80:error:0A000412:SSL routines:ssl3_read_bytes:sslv3 alert bad certificate:../ssl/rec.c:1601:SSL alert number 42 (2026-01-01T00:00:00.000Z)',
      'tls',
      'sslv3 alert bad certificate',
    ],
    [
      status.UNAVAILABLE,
      'No connection established. Last error: unable to verify the first certificate',
      'tls',
      'unable to verify the first certificate',
    ],
    [status.UNAVAILABLE, 'etcdserver: no leader', 'no-leader', 'etcdserver: no leader'],
    [
      status.UNAVAILABLE,
      'etcdserver: request timed out',
      'timeout',
      'etcdserver: request timed out',
    ],
    [
      status.DEADLINE_EXCEEDED,
      'Deadline exceeded after 2.001s',
      'timeout',
      'Deadline exceeded after 2.001s',
    ],
    [
      status.INVALID_ARGUMENT,
      'etcdserver: duplicate key given in txn request',
      'other',
      'etcdserver: duplicate key given in txn request',
    ],
  ])('code %i "%s" is %s', (code, details, kind, reason) => {
    expect(classifyFailure({ code, details }, endpoint)).toMatchObject({ kind, reason });
  });

  test('shorten keeps one line', () => {
    expect(shorten('a\n  b')).toBe('a b');
  });
});

describe('options', () => {
  test('defaults bound failover: TTL 2 s, a renewal every 500 ms, requests within 3 s', () => {
    const settings = normalizeEtcdOptions({ endpoints: ['127.0.0.1:2379'] });
    expect(settings).toMatchObject({
      prefix: ETCD_DEFAULTS.prefix,
      leaseTtlSeconds: 2,
      keepAliveIntervalMs: 500,
      requestTimeoutMs: 3000,
    });
    expect(Object.isFrozen(settings)).toBe(true);
  });

  test('bad values name the option and the fix', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cohort-etcd-options-'));
    const ca = join(dir, 'ca.crt');
    writeFileSync(ca, 'x');
    const cases: [Parameters<typeof normalizeEtcdOptions>[0], string][] = [
      [{ endpoints: [] }, 'etcd.endpoints is empty'],
      [
        { endpoints: ['a:1'], leaseTtlSeconds: 0 },
        'etcd.leaseTtlSeconds is 0: give a whole number from 1',
      ],
      [
        { endpoints: ['a:1'], leaseTtlSeconds: 2, keepAliveIntervalMs: 2000 },
        'etcd.keepAliveIntervalMs',
      ],
      [
        { endpoints: ['a:1'], tls: { ca: join(dir, 'missing') } },
        `etcd.tls.ca: cannot read ${join(dir, 'missing')}`,
      ],
      [{ endpoints: ['a:1'], tls: { ca, cert: ca } }, 'needs both cert and key'],
    ];
    try {
      for (const [options, message] of cases) {
        expect(() => normalizeEtcdOptions(options)).toThrow(message);
        expect(() => normalizeEtcdOptions(options)).toThrow(
          expect.objectContaining({ code: ErrorCode.Config }),
        );
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
