import { status as Status } from '@grpc/grpc-js';
import type * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ErrorCode } from '../../src/core/errors.js';
import { runClientRound, settledRecord } from './support/client-round.js';
import { rawBytes, rawClient, rawStream, rawUnary } from './support/raw-client.js';
import { startTestCoordinator, type TestCoordinator } from './support/server-fixture.js';

let coordinator: TestCoordinator;
let raw: grpc.Client;
beforeAll(async () => {
  coordinator = await startTestCoordinator('tcp');
  raw = rawClient(coordinator.address);
});
afterAll(async () => {
  raw.close();
  await coordinator.close();
});

const join = (fields: Record<string, unknown>) => ({
  join: { group: 'g', member: 'a', kind: 'CHECKPOINT', declaredSize: 1, ...fields },
});

describe('a malformed first message ends that stream with INVALID_ARGUMENT naming the field', () => {
  test.each([
    ['no body', { seq: 1 }, 'body'],
    ['a bad group name', join({ group: 'bad name!' }), 'join.group'],
    ['a member name too long', join({ member: 'x'.repeat(64) }), 'join.member'],
    ['no kind', join({ kind: 'KIND_UNSPECIFIED' }), 'join.kind'],
    ['a restore without its checkpoint epoch', join({ kind: 'RESTORE' }), 'join.checkpointEpoch'],
    [
      'declared members without the joiner',
      join({ declaredMembers: ['b', 'c'] }),
      'join.declaredMembers',
    ],
    [
      'a declared member listed twice',
      join({ declaredMembers: ['a', 'a'] }),
      'join.declaredMembers[1]',
    ],
    [
      'too many declared members',
      join({ declaredMembers: Array.from({ length: 5000 }, (_, i) => `m${i}`) }),
      'join.declaredMembers',
    ],
    ['a huge heartbeat interval', join({ heartbeatMs: 10_000_000 }), 'join.heartbeatMs'],
  ])('%s', async (_name, message, field) => {
    const stream = rawStream(raw);
    stream.write(message);
    const status = await stream.status;
    expect(status.code).toBe(Status.INVALID_ARGUMENT);
    expect(status.details.startsWith(`${field}:`)).toBe(true);
    expect(status.metadata.get('cohort-error-code')).toEqual([ErrorCode.BadMessage]);
  });

  test('an oversized message is refused by size', async () => {
    const stream = rawStream(raw);
    stream.write(join({ imageLocation: 'x'.repeat(2 * 1024 * 1024) }));
    expect((await stream.status).code).toBe(Status.RESOURCE_EXHAUSTED);
  });
});

describe('after the join, a bad message gets an error on the stream and the round goes on', () => {
  test('bad fields, stale epochs and messages before a join', async () => {
    const stream = rawStream(raw);
    stream.write({ seq: 1, arrive: { epoch: 1, stage: 'READY' } });
    expect(await stream.next()).toMatchObject({
      error: {
        seq: 1,
        code: ErrorCode.Protocol,
        message: expect.stringContaining('send join first'),
      },
    });
    stream.write({ seq: 2, ...join({ group: 'live' }) });
    const welcome = (await stream.next()).welcome as { epoch: number };
    expect(welcome.epoch).toBe(1);
    stream.write({ seq: 3, vote: { epoch: 1, ok: true, reason: 'r'.repeat(5000) } });
    expect(await stream.next()).toMatchObject({
      error: {
        seq: 3,
        status: Status.INVALID_ARGUMENT,
        message: expect.stringMatching(/^vote\.reason:/),
      },
    });
    stream.write({ seq: 4, arrive: { epoch: 7, stage: 'READY' } });
    expect(await stream.next()).toMatchObject({
      error: { seq: 4, code: ErrorCode.StaleEpoch, status: Status.FAILED_PRECONDITION },
    });
    stream.write({ seq: 5, arrive: { epoch: 1, stage: 'STAGE_UNSPECIFIED' } });
    expect(await stream.next()).toMatchObject({
      error: { seq: 5, message: expect.stringMatching(/^arrive\.stage:/) },
    });
    stream.write({ seq: 6, arrive: { epoch: 1, stage: 'READY' } });
    expect(await stream.next()).toMatchObject({
      release: { epoch: 1, stage: 'READY' },
    });
    stream.close();
  });
});

describe('unary verbs validate every field', () => {
  test.each([
    [
      'ApplyGroup',
      { name: 'g', members: ['ok', 'bad name'] },
      'manifest.members[1]',
      Status.INVALID_ARGUMENT,
    ],
    ['ApplyGroup', { name: 'g' }, 'manifest.members', Status.INVALID_ARGUMENT],
    [
      'ApplyGroup',
      { name: 'g', size: 2, members: ['a'] },
      'manifest.size',
      Status.INVALID_ARGUMENT,
    ],
    [
      'ApplyGroup',
      { name: 'g', size: 1, deadlines: { joinMs: 0 } },
      'manifest.deadlines.joinMs',
      Status.INVALID_ARGUMENT,
    ],
    ['GetDecision', { group: 'g', epoch: 0 }, 'epoch', Status.INVALID_ARGUMENT],
    ['History', { name: '' }, 'name', Status.INVALID_ARGUMENT],
    ['History', { name: 'never-seen' }, 'group never-seen is unknown', Status.NOT_FOUND],
    ['DeleteGroup', { name: 'never-seen' }, 'group never-seen has no manifest', Status.NOT_FOUND],
    ['ReportComplete', { group: 'g', epoch: 1, member: '' }, 'member', Status.INVALID_ARGUMENT],
  ])('%s %j', async (verb, request, starts, code) => {
    const { error } = await rawUnary(raw, verb, request);
    expect(error?.code).toBe(code);
    expect(error?.details.startsWith(starts)).toBe(true);
  });

  test('bytes that are not protobuf are INVALID_ARGUMENT', async () => {
    const error = await rawBytes(raw, 'ApplyGroup', Buffer.from([0xff, 0xff, 0xff, 0x01]));
    expect(error?.code).toBe(Status.INVALID_ARGUMENT);
    expect(error?.details).toContain('not valid protobuf');
  });
});

test('after all of that the daemon still runs rounds', async () => {
  const client = await coordinator.client();
  await runClientRound(client, 'after', {
    members: 3,
    kind: 'checkpoint',
    fault: 'none',
    point: 'ready',
  });
  expect((await settledRecord(client, 'after')).outcome).toBe('permanent');
});
