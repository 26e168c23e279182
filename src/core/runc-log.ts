import { appendFileSync } from 'node:fs';

/** Where the caller reads runc's errors: `--log` and `--log-format` as given to runc. */
export interface RuncLogTarget {
  logPath?: string;
  logFormat?: string;
}

export type RuncLogLevel = 'error' | 'warning' | 'info' | 'debug';

/** One line the way runc's logrus writes it, so engines that parse runc's log parse ours. */
export function formatRuncLogLine(
  level: RuncLogLevel,
  msg: string,
  format?: string,
  now = new Date(),
): string {
  const time = now.toISOString();
  if (format === 'json') return JSON.stringify({ level, msg, time }) + '\n';
  return `time="${time}" level=${level} msg=${JSON.stringify(msg)}\n`;
}

/**
 * Errors go to stderr as plain text; every level goes to `--log` when the caller gave one.
 * Warnings stay out of stderr: engines show a runtime's stderr as if it were a failure.
 * Never writes stdout: stdout belongs to runc.
 */
export function reportToCaller(
  target: RuncLogTarget,
  level: RuncLogLevel,
  msg: string,
  stderr: (text: string) => void = (text) => process.stderr.write(text),
): void {
  if (level === 'error') stderr(`cohort: ${msg}\n`);
  if (target.logPath === undefined) return;
  try {
    appendFileSync(target.logPath, formatRuncLogLine(level, msg, target.logFormat));
  } catch {
    // The log is a courtesy copy: stderr already has the message.
  }
}
