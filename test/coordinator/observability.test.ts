import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { connectCoordinator } from '../../src/coordinator/client.js';
import {
  startCoordinator,
  type RunningCoordinator,
} from '../../src/coordinator/start-coordinator.js';
import { createLogger, silentLogger } from '../../src/coordinator/server/logger.js';
import { runClientRound } from './support/client-round.js';
import { startTestCoordinator, type TestCoordinator } from './support/server-fixture.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function fixture(): Promise<TestCoordinator> {
  const coordinator = await startTestCoordinator('unix');
  cleanups.push(() => coordinator.close());
  return coordinator;
}

async function withMetrics(): Promise<{ running: RunningCoordinator; address: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'cohortd-metrics-'));
  const address = `unix://${join(dir, 'c.sock')}`;
  const running = await startCoordinator({
    listen: [address],
    stateDir: join(dir, 'state'),
    metricsListen: '127.0.0.1:0',
    logger: silentLogger,
  });
  cleanups.push(async () => {
    await running.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return { running, address };
}

const ROUND_EVENTS = ['round-opened', 'member-joined', 'barrier-released', 'round-aborted'];

describe('logs', () => {
  test('pino lines: the event is msg, the level is named, a round line carries group and epoch', async () => {
    const coordinator = await fixture();
    const client = await coordinator.client();
    const session = await client.openSession({
      group: 'obs',
      member: 'a',
      kind: 'checkpoint',
      declaredMembers: ['a'],
      heartbeatMs: 200,
    });
    await session.arrive('ready');
    await session.arrive('frozen');
    // A reason is free text: quotes, a backslash and a newline stay one JSON line.
    const reason = 'disk "full" at C:\\images\nsecond line';
    expect(await session.vote(false, reason)).toMatchObject({ commit: false });
    session.close();

    const lines = coordinator.logs;
    const opened = lines.find((line) => line.msg === 'round-opened');
    expect(opened).toMatchObject({ level: 'info', group: 'obs', epoch: 1, kind: 'checkpoint' });
    expect(new Date(String(opened?.time)).toISOString()).toBe(opened?.time);
    expect(lines.find((line) => line.msg === 'round-aborted')).toMatchObject({
      level: 'warn',
      group: 'obs',
      epoch: 1,
      abortKind: 'vote-failed',
      reason: expect.stringContaining(reason) as string,
    });
    const aboutTheRound = lines.filter((line) => ROUND_EVENTS.includes(String(line.msg)));
    expect(aboutTheRound.map((line) => line.msg)).toEqual(
      expect.arrayContaining([...ROUND_EVENTS]),
    );
    for (const line of aboutTheRound) expect(line).toMatchObject({ group: 'obs', epoch: 1 });
    expect(lines.find((line) => line.msg === 'coordinator-started')).toMatchObject({
      level: 'info',
      addresses: [coordinator.address],
    });
  });

  test('a logger writes nothing below its level (cohortd --log-level)', () => {
    const written: string[] = [];
    const logger = createLogger({ write: (line) => void written.push(line) }, 'warn');
    logger.info({ group: 'g' }, 'round-opened');
    logger.child({ group: 'g', epoch: 2 }).warn({ reason: 'x' }, 'round-aborted');
    expect(written.map((line) => JSON.parse(line) as unknown)).toEqual([
      expect.objectContaining({ level: 'warn', msg: 'round-aborted', group: 'g', epoch: 2 }),
    ]);
  });
});

describe('/metrics', () => {
  test('each coordinator has its own registry, with the process and event-loop metrics', async () => {
    const [busy, idle] = await Promise.all([withMetrics(), withMetrics()]);
    const client = await connectCoordinator({ address: busy.address, connectTimeoutMs: 2_000 });
    cleanups.push(async () => client.close());
    await runClientRound(client, 'm', {
      members: 2,
      kind: 'checkpoint',
      fault: 'none',
      point: 'ready',
    });

    const scrape = async (address: string | undefined) => {
      const response = await fetch(`http://${address}/metrics`);
      return { type: response.headers.get('content-type'), text: await response.text() };
    };
    const [mine, other] = await Promise.all([
      scrape(busy.running.metricsAddress),
      scrape(idle.running.metricsAddress),
    ]);
    expect(mine.type).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(mine.text).toContain('cohort_rounds_opened_total{kind="checkpoint"} 1');
    expect(other.text).toContain('cohort_rounds_opened_total{kind="checkpoint"} 0');
    expect(other.text).toContain('cohort_rounds_opened_total{kind="restore"} 0');
    for (const name of [
      'process_cpu_user_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_seconds',
      'nodejs_eventloop_lag_p99_seconds',
    ]) {
      expect(mine.text).toMatch(new RegExp(`^${name} `, 'm'));
    }
    // Dashboards read these bounds: the same sixteen as ever, then +Inf.
    const bounds = [
      ...mine.text.matchAll(/^cohort_barrier_wait_seconds_bucket\{le="([^"]+)",stage="ready"\}/gm),
    ].map((match) => match[1]);
    expect(bounds).toEqual([
      '0.001',
      '0.0025',
      '0.005',
      '0.01',
      '0.025',
      '0.05',
      '0.1',
      '0.25',
      '0.5',
      '1',
      '2.5',
      '5',
      '10',
      '30',
      '60',
      '300',
      '+Inf',
    ]);
    expect(mine.text).toContain('cohort_members_connected 0');
  });
});
