import { readFileSync, readlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeFds, openFixture, spawnWithFds, type SpawnedResult } from '../helpers/fds.js';
import {
  COHORT_BIN,
  createRuntimeSandbox,
  RUNC,
  waitForStatus,
  type RuntimeSandbox,
} from '../helpers/runc.js';

let sandbox: RuntimeSandbox;
beforeAll(() => {
  sandbox = createRuntimeSandbox();
});
afterAll(async () => {
  await sandbox.cleanup();
});

const VIA = [
  ['cohort', COHORT_BIN],
  ['runc', RUNC],
] as const;

/** Opens fixture files at the given numbers, each holding "fd N"; returns what to pass and close. */
function fixtures(numbers: number[]): { fds: Record<number, number>; close(): void } {
  const opened = numbers.map((n) => ({
    n,
    ...openFixture(sandbox.dir, `fd-${n}-${Math.random()}`, `fd ${n}\n`),
  }));
  return {
    fds: Object.fromEntries(opened.map((o) => [o.n, o.fd])),
    close: () => closeFds(opened.map((o) => o.fd)),
  };
}

/** `run` in the foreground with exactly the given extra fds, through cohort or runc. */
async function runWithFds(
  binary: string,
  args: readonly string[],
  containerArgs: string[],
  fds: Record<number, number>,
): Promise<SpawnedResult> {
  const id = sandbox.id('fds');
  const bundle = sandbox.bundle({ args: containerArgs });
  return spawnWithFds(binary, ['--root', sandbox.root, 'run', ...args, id], {
    env: sandbox.env,
    cwd: bundle,
    fds,
  });
}

describe("--preserve-fds: the container gets the caller's fds at the same numbers", () => {
  it.each(VIA)('run --preserve-fds 2 via %s', async (_via, binary) => {
    const open = fixtures([3, 4]);
    try {
      const result = await runWithFds(
        binary,
        ['--preserve-fds', '2'],
        ['cat', '/proc/self/fd/3', '/proc/self/fd/4'],
        open.fds,
      );
      expect(result).toMatchObject({ exitCode: 0, stdout: 'fd 3\nfd 4\n', stderr: '' });
    } finally {
      open.close();
    }
  });

  it.each(VIA)('run --preserve-fds 6 via %s: fds 7 and 8 too', async (_via, binary) => {
    const numbers = [3, 4, 5, 6, 7, 8];
    const open = fixtures(numbers);
    try {
      const paths = numbers.map((n) => `/proc/self/fd/${n}`);
      const result = await runWithFds(binary, ['--preserve-fds', '6'], ['cat', ...paths], open.fds);
      expect(result).toMatchObject({ exitCode: 0, stderr: '' });
      expect(result.stdout).toBe(numbers.map((n) => `fd ${n}\n`).join(''));
    } finally {
      open.close();
    }
  });

  it.each(VIA)(
    'without --preserve-fds via %s, no extra fd reaches the container',
    async (_via, binary) => {
      const open = fixtures([3, 4, 7, 8]);
      try {
        const result = await runWithFds(binary, [], ['ls', '/proc/self/fd'], open.fds);
        // 0-2, and the fd ls reads the directory with.
        expect(result).toMatchObject({ exitCode: 0, stdout: '0\n1\n2\n3\n', stderr: '' });
      } finally {
        open.close();
      }
    },
  );

  it.each(VIA)(
    'create --preserve-fds 6 then start via %s (how conmon runs a container)',
    async (_via, binary) => {
      const numbers = [3, 4, 5, 6, 7, 8];
      const open = fixtures(numbers);
      try {
        const id = sandbox.id('conmon');
        const bundle = sandbox.bundle({
          args: ['cat', ...numbers.map((n) => `/proc/self/fd/${n}`)],
        });
        // The container inherits create's stdout: the call ends when the container does.
        const created = spawnWithFds(
          binary,
          ['--root', sandbox.root, 'create', '--bundle', bundle, '--preserve-fds', '6', id],
          {
            env: sandbox.env,
            fds: open.fds,
          },
        );
        await waitForStatus(sandbox.root, id, 'created');
        expect((await sandbox.cohort(['start', id])).exitCode).toBe(0);
        const result = await created;
        expect(result).toMatchObject({ exitCode: 0, stderr: '' });
        expect(result.stdout).toBe(numbers.map((n) => `fd ${n}\n`).join(''));
      } finally {
        open.close();
      }
    },
  );

  it('exec --preserve-fds 2 into a running container', async () => {
    const id = sandbox.id('execfds');
    expect(
      (await sandbox.create('cohort', id, sandbox.bundle({ args: ['sleep', '1000'] }))).exitCode,
    ).toBe(0);
    expect((await sandbox.cohort(['start', id])).exitCode).toBe(0);
    const open = fixtures([3, 4]);
    try {
      for (const [, binary] of VIA) {
        const result = await spawnWithFds(
          binary,
          [
            '--root',
            sandbox.root,
            'exec',
            '--preserve-fds',
            '2',
            id,
            'cat',
            '/proc/self/fd/3',
            '/proc/self/fd/4',
          ],
          { env: sandbox.env, fds: open.fds },
        );
        expect(result).toMatchObject({ exitCode: 0, stdout: 'fd 3\nfd 4\n', stderr: '' });
      }
    } finally {
      open.close();
    }
  });
});

describe('LISTEN_FDS socket activation', () => {
  let server: Server;
  let socketFd: number;
  beforeAll(async () => {
    server = createServer();
    await new Promise<void>((resolve) =>
      server.listen(join(sandbox.dir, 'activation.sock'), resolve),
    );
    socketFd = (server as unknown as { _handle: { fd: number } })._handle.fd;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it.each(VIA)(
    'the listening socket at fd 3 reaches the container via %s',
    async (_via, binary) => {
      const id = sandbox.id('listen');
      const bundle = sandbox.bundle({
        args: ['sh', '-c', 'echo "$LISTEN_FDS $LISTEN_PID"; readlink /proc/self/fd/3'],
      });
      // LISTEN_PID names the process that will be runc: this shell's pid, kept across both execs.
      const result = await spawnWithFds(
        '/bin/sh',
        [
          '-c',
          'export LISTEN_PID=$$ LISTEN_FDS=1; exec "$@"',
          'sh',
          binary,
          '--root',
          sandbox.root,
          'run',
          id,
        ],
        { env: sandbox.env, cwd: bundle, fds: { 3: socketFd } },
      );
      const socket = readlinkSync(`/proc/self/fd/${socketFd}`);
      // runc hands the socket on and rewrites LISTEN_PID for the container's init.
      expect(result).toMatchObject({ exitCode: 0, stdout: `1 1\n${socket}\n`, stderr: '' });
    },
  );

  it.each(VIA)(
    'a LISTEN_PID naming another process passes nothing on via %s',
    async (_via, binary) => {
      const id = sandbox.id('listen');
      const bundle = sandbox.bundle({
        args: ['sh', '-c', 'echo "[$LISTEN_FDS]"; ls /proc/self/fd'],
      });
      const result = await spawnWithFds(binary, ['--root', sandbox.root, 'run', id], {
        env: { ...sandbox.env, LISTEN_PID: '1', LISTEN_FDS: '1' },
        cwd: bundle,
        fds: { 3: socketFd },
      });
      expect(result).toMatchObject({ exitCode: 0, stdout: '[]\n0\n1\n2\n3\n', stderr: '' });
    },
  );
});

describe("resource limits and signal dispositions are the caller's", () => {
  const probe = [
    'sh',
    '-c',
    'ulimit -n; cat /proc/self/limits; grep -E "^Sig(Ign|Blk)" /proc/self/status',
  ];

  it('a container with no rlimits in its spec sees what bare runc gives it', async () => {
    const outputs: SpawnedResult[] = [];
    for (const [, binary] of VIA) {
      const id = sandbox.id('limits');
      const bundle = sandbox.bundle({ args: probe, rlimits: false });
      // A soft limit below the hard one, as a caller may set it (fake-runc shows runc receives it as is).
      outputs.push(
        await spawnWithFds(
          '/bin/sh',
          ['-c', 'ulimit -Sn 1000 && exec "$@"', 'sh', binary, '--root', sandbox.root, 'run', id],
          {
            env: sandbox.env,
            cwd: bundle,
          },
        ),
      );
    }
    const [viaCohort, viaRunc] = outputs as [SpawnedResult, SpawnedResult];
    expect(viaRunc).toMatchObject({ exitCode: 0, stderr: '' });
    expect(viaRunc.stdout).toMatch(/^\d+\nLimit/);
    expect(viaCohort.stdout).toBe(viaRunc.stdout);
    expect(viaCohort.exitCode).toBe(viaRunc.exitCode);
  });

  it('exec sees the same limits through cohort as through runc', async () => {
    const id = sandbox.id('execlimits');
    expect(
      (
        await sandbox.create(
          'cohort',
          id,
          sandbox.bundle({ args: ['sleep', '1000'], rlimits: false }),
        )
      ).exitCode,
    ).toBe(0);
    expect((await sandbox.cohort(['start', id])).exitCode).toBe(0);
    const outputs: SpawnedResult[] = [];
    for (const [, binary] of VIA) {
      outputs.push(
        await spawnWithFds(
          '/bin/sh',
          [
            '-c',
            'ulimit -Sn 900 && exec "$@"',
            'sh',
            binary,
            '--root',
            sandbox.root,
            'exec',
            id,
            ...probe,
          ],
          {
            env: sandbox.env,
          },
        ),
      );
    }
    expect(outputs[1]?.exitCode).toBe(0);
    expect(outputs[0]?.stdout).toBe(outputs[1]?.stdout);
  });
});

describe("stdin, stdout and signals are the caller's", () => {
  it("a pipe on stdin reaches the container whole, and the fd flags are runc's", async () => {
    const input = 'x'.repeat(1 << 20);
    const probe = [
      'sh',
      '-c',
      'wc -c; grep -h flags /proc/self/fdinfo/0 /proc/self/fdinfo/1 /proc/self/fdinfo/2',
    ];
    const [viaCohort, viaRunc] = [
      await sandbox.cohort(['run', sandbox.id('stdin')], {
        cwd: sandbox.bundle({ args: probe }),
        input,
      }),
      await sandbox.runc(['run', sandbox.id('stdin')], {
        cwd: sandbox.bundle({ args: probe }),
        input,
      }),
    ];
    expect(viaRunc).toMatchObject({ exitCode: 0, stderr: '' });
    expect(viaRunc.stdout.split('\n')[0]?.trim()).toBe(String(1 << 20));
    expect(viaCohort).toEqual(viaRunc);
  });

  it.each(VIA)('SIGTERM to %s in the foreground reaches the container', async (_via, binary) => {
    const id = sandbox.id('sig');
    const bundle = sandbox.bundle({
      args: [
        'sh',
        '-c',
        'trap "echo got-term; exit 9" TERM; echo ready; while :; do sleep 0.1; done',
      ],
    });
    const running = spawnWithFds(binary, ['--root', sandbox.root, 'run', id], {
      env: sandbox.env,
      cwd: bundle,
    });
    await waitForStatus(sandbox.root, id, 'running');
    const pid = Number(
      readFileSync(`/proc/${(await containerStateOf(id)).pid}/status`, 'utf8').match(
        /^PPid:\s+(\d+)/m,
      )?.[1],
    );
    // The container's parent is runc; runc's process is the one the caller started.
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0]).toBe(RUNC);
    process.kill(pid, 'SIGTERM');
    const result = await running;
    expect(result.pid).toBe(pid);
    expect(result).toMatchObject({ exitCode: 9, stdout: 'ready\ngot-term\n', stderr: '' });
  });
});

async function containerStateOf(id: string): Promise<{ pid: number }> {
  const state = await sandbox.runc(['state', id]);
  return JSON.parse(state.stdout) as { pid: number };
}
