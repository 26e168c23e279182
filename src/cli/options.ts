import { parseDuration } from '../core/duration.js';
import type { Options } from 'yargs';

/** A string flag that may repeat (`--node a --node b`): always a list. */
export function repeatable(describe: string) {
  return {
    type: 'string',
    requiresArg: true,
    describe,
    default: [] as string[],
    defaultDescription: 'none',
    coerce: (value: unknown): string[] =>
      Array.isArray(value) ? value.map(String) : [String(value)],
  } satisfies Options;
}

/** `--json` on every read verb: machine-readable output instead of the table. */
export const JSON_OPTION = {
  type: 'boolean',
  default: false,
  describe: 'print JSON instead of text',
} satisfies Options;

/** A whole number flag within a range; yargs' own `number` accepts 1.5 and NaN. */
export function wholeNumber(flag: string, min: number, max: number) {
  return (value: unknown): number => {
    const number = Number(value);
    if (!Number.isInteger(number) || number < min || number > max) {
      throw new Error(
        `--${flag} must be a whole number from ${min} to ${max} (got ${String(value)})`,
      );
    }
    return number;
  };
}

/** How often a verb polls the coordinator for progress: a Go duration, as everywhere. */
export function progressInterval() {
  return {
    default: '250ms',
    coerce: (value: unknown): number =>
      parseDuration(String(value), '--interval', { min: 20, max: 60_000 }),
    describe: 'time between progress polls of the coordinator (Go duration)',
  } satisfies Options;
}
