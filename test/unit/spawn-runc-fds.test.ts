import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const FIXTURE = fileURLToPath(
  new URL('./fixtures/report-fds-through-spawn-runc.ts', import.meta.url),
);

/** Starts the fixture with fds 250 and 251 open, as a caller's stray descriptors would be. */
function fdsSeenByRunc(keep: string): string {
  const result = spawnSync(
    '/bin/bash',
    [
      '-c',
      'exec 250</dev/null 251</dev/null; exec "$@"',
      'bash',
      process.execPath,
      '--import',
      'tsx',
      FIXTURE,
      keep,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' },
  );
  expect(result.status).toBe(0);
  return result.stdout;
}

describe('the runc a session starts', () => {
  it('gets none of the descriptors its caller left open by accident', () => {
    expect(fdsSeenByRunc('')).toBe('closed 250\nclosed 251\n');
  });

  it('gets the one the caller named (--status-fd), at the same number', () => {
    expect(fdsSeenByRunc('251')).toBe('closed 250\nopen 251\n');
  });
});
