/** How runc ended, as the session host heard it from the front door that ran it. */
export interface RuncExit {
  exitCode: number;
  /** runc's own last words on stderr, when they were kept; else empty. */
  stderrTail: string;
}

/** The last line runc wrote to stderr, reduced to logrus's msg="..." when it is there. */
export function runcLastWords(stderr: string): string {
  const lines = stderr.trim().split('\n');
  const line = lines[lines.length - 1] ?? '';
  const msg = /msg="((?:[^"\\]|\\.)*)"/.exec(line);
  // logrus escapes newlines inside msg; the caller gets one readable line.
  return msg === null ? line : (msg[1] ?? line).replace(/\\n/g, '; ').replace(/\\"/g, '"');
}
