import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn as spawnPty } from 'node-pty';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cohortVersion } from '../../src/core/package-paths.js';
import { run } from '../helpers/run.js';
import { REPO_ROOT } from '../helpers/runc.js';
import { startTestCoordinator, type TestCoordinator } from './support/coordinator.js';
import { cohortctl } from './support/run-cli.js';
import { renderScreen, rowsOf } from './support/screen.js';

const ENTRY = join(REPO_ROOT, 'dist', 'bundle', 'cohortctl.mjs');

describe.skipIf(!existsSync(ENTRY))('bin/cohortctl', () => {
  let dir: string;
  let linked: string;
  let coordinator: TestCoordinator;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cohortctl-bin-'));
    // Installed the way npm install -g does it: a symlink in a bin directory.
    linked = join(dir, 'cohortctl');
    symlinkSync(join(REPO_ROOT, 'bin', 'cohortctl'), linked);
    coordinator = await startTestCoordinator();
  });
  afterAll(async () => {
    await coordinator?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs through a symlink', async () => {
    const result = await run(linked, ['--version']);
    expect(result).toMatchObject({ exitCode: 0, stdout: `${cohortVersion()}\n`, stderr: '' });
  });

  it('sets the process exit code from the error: 3 for an unreachable coordinator', async () => {
    const config = join(dir, 'short-timeout.json');
    writeFileSync(
      config,
      JSON.stringify({ runc: '/usr/sbin/runc', coordinator: { connectTimeoutMs: 200 } }),
    );
    const result = await run(linked, [
      '--config',
      config,
      '--coordinator',
      `unix://${join(dir, 'none.sock')}`,
      'status',
    ]);
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toMatch(
      /^cohortctl: coordinator at unix:\/\/.*none\.sock \(from --coordinator\) is unreachable/,
    );
  });

  it('status --watch stops on SIGINT and exits 0', async () => {
    const child = spawn(
      linked,
      ['--config', coordinator.configPath, 'status', '--watch', '--interval', '100'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    const firstFrame = new Promise<void>((resolve) => {
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        if (stdout.includes('no groups')) resolve();
      });
    });
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code) => resolve(code)),
    );
    await firstFrame;
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });

  it('status --watch on a terminal narrower than its lines redraws in place', async () => {
    const env = { COHORT_CONFIG: coordinator.configPath };
    const manifest = join(dir, 'wide.yaml');
    writeFileSync(manifest, 'name: wide\nmembers: [db, api]\n');
    expect((await cohortctl(['group', 'apply', '-f', manifest], { env })).code).toBe(0);
    const pty = spawnPty(linked, ['status', 'wide', '--watch', '--interval', '100'], {
      cols: 30,
      rows: 24,
      env: { ...(process.env as Record<string, string>), ...env },
    });
    let output = '';
    const shown = (text: string) =>
      new Promise<void>((resolve) => {
        const check = pty.onData(() => {
          if (!output.includes(text)) return;
          check.dispose();
          resolve();
        });
      });
    pty.onData((data) => (output += data));
    const exited = new Promise<number>((resolve) =>
      pty.onExit(({ exitCode }) => resolve(exitCode)),
    );
    await shown('  api');
    writeFileSync(manifest, 'name: wide\nmembers: [db, api, cache]\n');
    expect((await cohortctl(['group', 'apply', '-f', manifest], { env })).code).toBe(0);
    await shown('  cache');
    pty.kill('SIGINT');
    expect(await exited).toBe(0);
    const now = await cohortctl(['status', 'wide'], { env });
    expect(await renderScreen(output, 30)).toEqual(rowsOf(now.stdout.trimEnd().split('\n'), 30));
  });
});
