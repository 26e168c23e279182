import { readFileSync } from 'node:fs';
import { run } from './run.js';

/** Mount points at or below `dir`, deepest first (the order they must be unmounted in). */
export function mountsUnder(dir: string): string[] {
  const prefix = dir.endsWith('/') ? dir : dir + '/';
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter(
      (point): point is string =>
        point !== undefined && (point === dir || point.startsWith(prefix)),
    )
    .map((point) => point.replace(/\\040/g, ' '))
    .sort((a, b) => b.length - a.length);
}

/** Unmounts whatever an engine left mounted under its temp dir, so the dir can be removed. */
export async function unmountUnder(dir: string): Promise<void> {
  for (const point of mountsUnder(dir)) await run('umount', ['-l', point]);
}
