import { execFile } from 'node:child_process';
import { constants, existsSync, mkdirSync, openSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import type { Logger } from '../../coordinator/server/logger.js';
import { writeFileAtomic } from '../../core/atomic-write.js';
import { alive, claimHostDir, ownerPid, releaseHostDir, servingPid } from './host-claim.js';
import { HOST_FILES, sessionHostDir } from './layout.js';
import { ChannelPool } from './pool.js';
import { serveCall } from './serve-call.js';
import { SharedServices } from './shared-services.js';

const run = promisify(execFile);

/** How often a standby host looks whether the serving one is gone, and the pool is swept. */
const TICK_MS = 1_000;

export interface SessionHostOptions {
  /** cohort's state dir (the config's stateDir): the host serves the front doors using it. */
  stateDir: string;
  logger: Logger;
  /** Environment for runc state, runc resume and criu --version. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Channels kept ready; a burst beyond it asks for more through the door. */
  poolSize?: number;
}

export interface SessionHost {
  readonly dir: string;
  /** True while this process serves the dir; false while another live host does. */
  serving(): boolean;
  /** Resolves once this host serves (at once, unless another host held the dir). */
  ready: Promise<void>;
  stop(): void;
}

/** Dirs this process serves: a restart in the same process may take its own claim over. */
const servedHere = new Set<string>();

/**
 * The warm half of bin/cohort for group members: long-lived, it joins rounds, answers the hook
 * and records completion, while each call's own front door runs runc. Plain containers never
 * need it. A second host for the same dir waits as a standby and takes over when the first ends.
 */
export function startSessionHost(o: SessionHostOptions): SessionHost {
  const dir = sessionHostDir(o.stateDir);
  const env = o.env ?? process.env;
  const shared = new SharedServices(env);
  const newPool = () =>
    new ChannelPool(
      join(dir, HOST_FILES.channels),
      join(dir, HOST_FILES.staging),
      (channel, line) =>
        serveCall(channel, line, shared, env, o.logger).catch((error: unknown) => {
          o.logger.error({ message: String(error) }, 'front-door-call-failed');
          channel.close();
        }),
      o.poolSize,
    );
  let state: 'standby' | 'starting' | 'serving' | 'stopped' = 'standby';
  let pool: ChannelPool | undefined;
  let door: { socket: Socket } | undefined;
  let becameReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    becameReady = resolve;
  });

  const takeOver = async (): Promise<void> => {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (servedHere.has(dir) || !claimHostDir(dir)) {
      state = 'standby';
      return;
    }
    servedHere.add(dir);
    rmSync(join(dir, HOST_FILES.channels), { recursive: true, force: true });
    rmSync(join(dir, HOST_FILES.staging), { recursive: true, force: true });
    const doorPath = join(dir, HOST_FILES.door);
    const fifos = [doorPath, join(dir, HOST_FILES.idle)].filter((path) => !existsSync(path));
    if (fifos.length > 0) await run('mkfifo', ['-m', '600', ...fifos]);
    const starting = newPool();
    pool = starting;
    await starting.start();
    if (state !== 'starting') return;
    door = listenDoor(doorPath, () => void starting.fill());
    writeFileAtomic(join(dir, HOST_FILES.pid), `${process.pid}\n`, 0o644);
    state = 'serving';
    o.logger.info({ dir }, 'session-host-serving');
    becameReady();
  };

  /** Stops serving without giving the dir up: another host claimed it. */
  const standDown = (): void => {
    o.logger.warn({ dir, pid: ownerPid(dir) }, 'session-host-displaced');
    pool?.stop();
    door?.socket.destroy();
    servedHere.delete(dir);
    state = 'standby';
  };

  const tick = (): void => {
    if (state === 'serving') {
      if (ownerPid(dir) === process.pid) pool?.sweep();
      else standDown();
    } else if (state === 'standby' && otherHost(dir) === undefined) {
      state = 'starting';
      takeOver().catch((error: unknown) => {
        pool?.stop();
        if (servedHere.delete(dir)) releaseHostDir(dir);
        state = 'standby';
        o.logger.error({ dir, message: String(error) }, 'session-host-failed');
      });
    }
  };
  const other = otherHost(dir);
  if (other === undefined) tick();
  else o.logger.warn({ dir, pid: other }, 'session-host-standby');
  const timer = setInterval(tick, TICK_MS);
  timer.unref();

  return {
    dir,
    ready,
    serving: () => state === 'serving' && servedHere.has(dir),
    stop() {
      const wasServing = state === 'serving' || state === 'starting';
      state = 'stopped';
      clearInterval(timer);
      pool?.stop();
      door?.socket.destroy();
      shared.close();
      if (wasServing && servedHere.delete(dir)) releaseHostDir(dir);
    },
  };
}

/** The pid of a live host serving `dir` other than this process's, if any. */
function otherHost(dir: string): number | undefined {
  for (const pid of [ownerPid(dir), servingPid(dir)]) {
    if (pid === undefined) continue;
    if (pid === process.pid) {
      if (servedHere.has(dir)) return pid;
    } else if (alive(pid)) return pid;
  }
  return undefined;
}

/** The door: a front door that found no free channel writes "@more" and waits a moment. */
function listenDoor(path: string, more: () => void): { socket: Socket } {
  const fd = openSync(path, constants.O_RDWR | constants.O_NONBLOCK);
  const socket = new Socket({ fd, readable: true, writable: false });
  createInterface({ input: socket }).on('line', (line) => {
    if (line.startsWith('@more')) more();
  });
  return { socket };
}
