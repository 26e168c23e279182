import { Writable } from 'node:stream';
import { createLogUpdate } from 'log-update';
import type { CliIo } from '../context.js';

/** Replaces the previous frame with a new one; an unchanged frame writes nothing. */
export type Redraw = (frame: string) => void;

/**
 * Redraws in place on a terminal with log-update, which wraps lines wider than the terminal itself
 * and erases every row they took (a cursor-up per line would leave wrapped rows behind).
 */
export function makeRedraw(io: CliIo): Redraw {
  const terminal = new Writable({
    decodeStrings: false,
    write(chunk: string, _encoding, done) {
      io.out(chunk);
      done();
    },
  });
  // The size is read at each frame: a resized terminal gets frames of its new width.
  Object.defineProperties(terminal, {
    columns: { get: () => io.terminal?.columns },
    rows: { get: () => io.terminal?.rows },
  });
  // The cursor stays visible, as before: hiding it would need restoring on every way out.
  const update = createLogUpdate(terminal, { showCursor: true });
  // log-update ends every frame with a newline of its own.
  return (frame) => update(frame.endsWith('\n') ? frame.slice(0, -1) : frame);
}
