import { mkdirSync, mkdtempSync, existsSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectStaleContainerState } from '../../src/runtime/collect-stale-state.js';

describe('stale per-container state', () => {
  it('removes only old entries of containers runc no longer has', () => {
    const base = mkdtempSync(join(tmpdir(), 'cohort-gc-'));
    const runcRoot = join(base, 'runc');
    const containers = join(base, 'state', 'containers', '_root');
    const old = Date.now() / 1000 - 3600;
    for (const id of ['alive', 'deleted', 'fresh', 'current'])
      mkdirSync(join(containers, id), { recursive: true });
    mkdirSync(join(runcRoot, 'alive'), { recursive: true });
    for (const id of ['alive', 'deleted', 'current']) utimesSync(join(containers, id), old, old);

    const removed = collectStaleContainerState(join(containers, 'current'), runcRoot);

    expect(removed).toBe(1);
    expect(existsSync(join(containers, 'deleted'))).toBe(false);
    expect(existsSync(join(containers, 'alive'))).toBe(true);
    expect(existsSync(join(containers, 'fresh'))).toBe(true);
    expect(existsSync(join(containers, 'current'))).toBe(true);
  });
});
