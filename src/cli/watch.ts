import { setTimeout as sleep } from 'node:timers/promises';
import type { CliContext } from './context.js';

/** ANSI: cursor home, clear screen. */
const CLEAR = '\x1b[H\x1b[2J';

/**
 * Draws a frame every `intervalMs` until the context's signal (SIGINT) fires. On a terminal each
 * frame replaces the last; piped, or with `append`, frames follow one another.
 */
export async function watchFrames(
  context: CliContext,
  intervalMs: number,
  draw: () => Promise<string>,
  mode: 'redraw' | 'append',
): Promise<void> {
  const redraw = mode === 'redraw' && context.io.isTty;
  while (!context.signal.aborted) {
    const frame = await draw();
    if (context.signal.aborted) break;
    context.io.out(redraw ? CLEAR + frame : frame + (mode === 'append' ? '' : '\n'));
    try {
      await sleep(intervalMs, undefined, { signal: context.signal });
    } catch {
      // Interrupted: the loop condition ends the watch.
    }
  }
}
