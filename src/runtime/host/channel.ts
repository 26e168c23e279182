import { execFile } from 'node:child_process';
import { closeSync, constants, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { Socket } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { HOST_FILES } from './layout.js';

/** Under PIPE_BUF (4096) with the newline: the write is atomic. */
const MAX_LINE_BYTES = 4000;
const NEWLINE = Buffer.from('\n');

/**
 * One single-use channel: the front door's call and the hook's questions arrive as lines on
 * `request`, answers leave on `reply`. Both FIFOs are opened read-write so that no open ever
 * blocks, on either side; a write under PIPE_BUF is atomic, so no reader sees half a line.
 */
export class CallChannel {
  private readonly requestFd: number;
  private readonly replyFd: number;
  private readonly socket: Socket;
  private closed = false;
  /** Who reads the lines: the pool until a front door calls, then that call. */
  onLine: (line: string) => void = () => undefined;

  constructor(readonly dir: string) {
    this.requestFd = openSync(
      join(dir, HOST_FILES.request),
      constants.O_RDWR | constants.O_NONBLOCK,
    );
    this.replyFd = openSync(join(dir, HOST_FILES.reply), constants.O_RDWR);
    this.socket = new Socket({ fd: this.requestFd, readable: true, writable: false });
    createInterface({ input: this.socket }).on('line', (line) => this.onLine(line.trim()));
  }

  /** Makes one channel's dir and FIFOs and opens them (the pool makes many with one mkfifo). */
  static async create(dir: string): Promise<CallChannel> {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    await promisify(execFile)('mkfifo', ['-m', '600', ...fifoPaths(dir)]);
    return new CallChannel(dir);
  }

  path(file: keyof typeof HOST_FILES): string {
    return join(this.dir, HOST_FILES[file]);
  }

  reply(line: string): void {
    if (this.closed) return;
    // One line under PIPE_BUF: the reader is a shell's `read`, and the write stays atomic.
    const bytes = Buffer.from(line.replace(/[\r\n]+/g, ' '));
    writeSync(this.replyFd, Buffer.concat([bytes.subarray(0, MAX_LINE_BYTES), NEWLINE]));
  }

  /** Closes our ends and removes the dir; a reader still holding a FIFO keeps what we wrote. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    closeSync(this.replyFd);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The two FIFOs of a channel in `dir`. */
export function fifoPaths(dir: string): [string, string] {
  return [join(dir, HOST_FILES.request), join(dir, HOST_FILES.reply)];
}
