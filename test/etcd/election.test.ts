import { afterAll, beforeAll, expect, test } from 'vitest';
import { ErrorCode, isCohortError } from '../../src/core/errors.js';
import {
  openEtcd,
  type EtcdClient,
  type EtcdOptions,
  type LeaderInfo,
} from '../../src/etcd/index.js';
import { EtcdCluster } from '../helpers/etcd-cluster.js';
import { ContenderProcess, type ContenderLine } from './support/contender-process.js';

let cluster: EtcdCluster;
const contenders: ContenderProcess[] = [];
const clients: EtcdClient[] = [];

beforeAll(async () => {
  cluster = await EtcdCluster.start();
});

afterAll(async () => {
  await Promise.all(contenders.map((c) => c.kill()));
  for (const client of clients) client.close();
  await cluster?.destroy();
});

function options(prefix: string): EtcdOptions {
  return { endpoints: cluster.endpoints(), tls: cluster.tls(), prefix };
}

async function client(prefix: string): Promise<EtcdClient> {
  const opened = await openEtcd(options(prefix));
  clients.push(opened);
  return opened;
}

function contender(name: string, prefix: string): ContenderProcess {
  const started = new ContenderProcess(name, options(prefix));
  contenders.push(started);
  return started;
}

/** The first `leading` line among these processes; with `fresh`, only lines printed from now on. */
function nextLeader(
  among: ContenderProcess[],
  fresh = false,
): Promise<{ who: ContenderProcess; line: ContenderLine }> {
  return Promise.any(
    among.map(async (who) => ({
      who,
      line: await who.next('leading', fresh ? who.lines.length : 0),
    })),
  );
}

test('three contender processes: SIGKILL of the leader, another leads and has written within 3 s', async () => {
  const prefix = '/election-kill/';
  const group = ['a', 'b', 'c'].map((name) => contender(name, prefix));
  await Promise.all(group.map((c) => c.next('ready')));
  const first = await nextLeader(group);
  const observer = await client(prefix);
  const seen: (string | undefined)[] = [];
  const stop = observer.observe((leader: LeaderInfo | undefined) => {
    seen.push((leader?.value as { name?: string } | undefined)?.name);
  });
  expect((await observer.get('leader'))?.value).toBe(first.line.name);

  const killedAt = Date.now();
  await first.who.kill();
  const rest = group.filter((c) => c !== first.who);
  const second = await nextLeader(rest, true);
  // `leading` is printed after the new leader's first fenced write returned.
  const failoverMs = second.line.at - killedAt;
  expect(failoverMs).toBeLessThan(3000);
  expect((await observer.get('leader'))?.value).toBe(second.line.name);
  await expect.poll(() => seen.at(-1)).toBe(second.line.name);
  expect(seen).toContain(first.line.name);
  // Exactly one leads: the third contender is still waiting.
  const third = rest.find((c) => c !== second.who);
  expect(third?.count('leading')).toBe(0);
  stop();
});

test('a leader frozen past its TTL is deposed: its late fenced write is refused and never lands', async () => {
  const prefix = '/election-freeze/';
  const pair = ['x', 'y'].map((name) => contender(name, prefix));
  await Promise.all(pair.map((c) => c.next('ready')));
  const first = await nextLeader(pair);
  const other = pair.find((c) => c !== first.who);
  if (other === undefined) throw new Error('two contenders expected');

  first.who.signal('SIGSTOP');
  const second = await other.next('leading');
  expect(second.name).toBe(other.name);
  // Queued while frozen: the first thing it may try on waking is a write with its old fence.
  const before = first.who.lines.length;
  first.who.send('write-fenced');
  first.who.signal('SIGCONT');
  const write = await first.who.next('write', before);
  expect(write).toMatchObject({ ok: false, code: ErrorCode.NotLeader });
  expect(await first.who.next('lost', before)).toMatchObject({ code: ErrorCode.NotLeader });
  const reader = await client(prefix);
  expect((await reader.get('leader'))?.value).toBe(other.name);
});

test('resign hands over at once; a deleted election key deposes its leader, whose fence then fails', async () => {
  const prefix = '/election-resign/';
  const [a, b, c] = await Promise.all([client(prefix), client(prefix), client(prefix)]);
  if (a === undefined || b === undefined || c === undefined)
    throw new Error('three clients expected');
  const names: unknown[] = [];
  const stop = c.observe((leader) => names.push(leader?.value));

  const leaderA = await a.campaign('a');
  const pendingB = b.campaign('b');
  await expect.poll(() => names.at(-1)).toBe('a');
  const resignedAt = Date.now();
  await leaderA.resign();
  const leaderB = await pendingB;
  expect(Date.now() - resignedAt).toBeLessThan(1000);
  expect(leaderA.signal.aborted).toBe(true);
  await expect(leaderA.write([{ type: 'put', key: 'k', value: 'a' }])).rejects.toMatchObject({
    code: ErrorCode.NotLeader,
  });

  // An operator deletes the leader's key: it notices through its watch, not at the next TTL.
  const pendingA = a.campaign('a again');
  const deletedAt = Date.now();
  cluster.ctl(['del', leaderB.key]);
  const lost = await leaderB.lost;
  expect(Date.now() - deletedAt).toBeLessThan(1000);
  expect(lost.code).toBe(ErrorCode.NotLeader);
  expect(lost.message).toContain('was deleted');
  const leaderA2 = await pendingA;
  await leaderA2.write([{ type: 'put', key: 'k', value: 'a2' }]);
  // B's old fence, sent straight to etcd: the compare fails there, nothing lands.
  const refused = await b
    .write([{ type: 'put', key: 'k', value: 'b (late)' }], {
      key: leaderB.key,
      createRevision: leaderB.createRevision,
    })
    .catch((error: unknown) => error);
  expect(isCohortError(refused, ErrorCode.NotLeader)).toBe(true);
  expect((refused as Error).message).toContain('is gone');
  expect((await c.get('k'))?.value).toBe('a2');
  await expect.poll(() => names.at(-1)).toBe('a again');
  stop();
  await leaderA2.resign();
});

test('an aborted campaign rejects and leaves no key behind', async () => {
  const prefix = '/election-abort/';
  const [holder, waiter] = await Promise.all([client(prefix), client(prefix)]);
  if (holder === undefined || waiter === undefined) throw new Error('two clients expected');
  const held = await holder.campaign('holder');
  const controller = new AbortController();
  const pending = waiter.campaign('waiter', { signal: controller.signal });
  await new Promise((resolve) => setTimeout(resolve, 200));
  controller.abort(new Error('shutting down'));
  await expect(pending).rejects.toThrow('shutting down');
  await held.resign();
  expect(await holder.leader()).toBeUndefined();
});

test('closing a client ends its leadership and its pending campaign', async () => {
  const prefix = '/election-close/';
  const [a, b] = await Promise.all([client(prefix), client(prefix)]);
  if (a === undefined || b === undefined) throw new Error('two clients expected');
  const leaderA = await a.campaign('a');
  const pendingB = b.campaign('b');
  b.close();
  await expect(pendingB).rejects.toMatchObject({
    code: ErrorCode.Store,
    message: expect.stringContaining('the etcd client is closed'),
  });
  a.close();
  expect((await leaderA.lost).message).toContain('the etcd client was closed');
  await expect(leaderA.write([{ type: 'put', key: 'k', value: 1 }])).rejects.toMatchObject({
    code: ErrorCode.NotLeader,
  });
});
