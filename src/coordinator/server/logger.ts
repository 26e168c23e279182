import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/**
 * pino JSON lines: the event name is `msg`, its facts are fields, and level and time read as in
 * runc's `--log-format json` ({"level":"info","time":"…","msg":"round-opened",…}).
 */
export function createLogger(destination: DestinationStream, level: LogLevel = 'info'): Logger {
  return pino(
    {
      level,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

/** Writes nothing: the default for a coordinator embedded in another program, and for tests. */
export const silentLogger: Logger = pino({ level: 'silent' }, { write: () => undefined });
