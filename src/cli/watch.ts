import { setTimeout as sleep } from 'node:timers/promises';
import type { CliContext } from './context.js';
import { makeRedraw } from './progress/redraw.js';

/**
 * Draws a frame every `intervalMs` until the context's signal (SIGINT) fires. On a terminal each
 * frame replaces the last in place; piped, or with `append`, frames follow one another.
 */
export async function watchFrames(
  context: CliContext,
  intervalMs: number,
  draw: () => Promise<string>,
  mode: 'redraw' | 'append',
): Promise<void> {
  const redraw = mode === 'redraw' && context.io.isTty ? makeRedraw(context.io) : undefined;
  while (!context.signal.aborted) {
    const frame = await draw();
    if (context.signal.aborted) break;
    if (redraw !== undefined) redraw(frame);
    else context.io.out(frame + (mode === 'append' ? '' : '\n'));
    try {
      await sleep(intervalMs, undefined, { signal: context.signal });
    } catch {
      // Interrupted: the loop condition ends the watch.
    }
  }
}
