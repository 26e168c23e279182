import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { converseAndExit, killPtySessions, startPty } from '../helpers/pty.js';
import { COHORT_BIN, createRuntimeSandbox, RUNC, type RuntimeSandbox } from '../helpers/runc.js';

let sandbox: RuntimeSandbox;
beforeAll(() => {
  sandbox = createRuntimeSandbox();
});
afterAll(async () => {
  killPtySessions();
  await sandbox.cleanup();
});

const VIA = [
  ['cohort', COHORT_BIN],
  ['runc', RUNC],
] as const;

describe('terminals', () => {
  it.each(VIA)(
    'run with process.terminal: typing into the container via %s',
    async (_via, binary) => {
      const id = sandbox.id('tty');
      const bundle = sandbox.bundle({ args: ['sh'], terminal: true });
      const session = startPty(binary, ['--root', sandbox.root, 'run', id], {
        cwd: bundle,
        env: sandbox.env,
      });
      expect(await converseAndExit(session, 3)).toBe(3);
    },
  );

  it.each(VIA)('exec -t into a running container via %s', async (_via, binary) => {
    const id = sandbox.id('exectty');
    expect(
      (await sandbox.create('cohort', id, sandbox.bundle({ args: ['sleep', '1000'] }))).exitCode,
    ).toBe(0);
    expect((await sandbox.cohort(['start', id])).exitCode).toBe(0);
    const session = startPty(binary, ['--root', sandbox.root, 'exec', '-t', id, 'sh'], {
      env: sandbox.env,
    });
    expect(await converseAndExit(session, 3)).toBe(3);
  });
});
