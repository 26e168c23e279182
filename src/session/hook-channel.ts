import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { Socket } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** What the hook asked: CRIU's action and, where CRIU knows it, the container's init pid. */
export interface HookRequest {
  action: string;
  initPid?: number;
}

export interface HookReply {
  exitCode: number;
  message: string;
}

export type HookHandler = (request: HookRequest) => Promise<HookReply>;

/** The environment that tells hooks/criu-action where its session listens and what it answers. */
export interface HookChannelEnv {
  COHORT_SESSION_DIR: string;
  COHORT_SESSION_PID: string;
  /** The CRIU actions this session answers, space-separated; the hook exits 0 at any other. */
  COHORT_ACTIONS: string;
  /** Seconds the hook waits for one answer before it fails closed. */
  COHORT_HOOK_TIMEOUT: string;
}

export interface HookChannelOptions {
  actions: readonly string[];
  timeoutSeconds: number;
}

/**
 * A pair of FIFOs the sh hook can use with builtins only: it writes "nonce action pid" to
 * `request` and reads "nonce code message" from `reply`. Both ends are opened read-write so
 * that no open ever blocks, on either side.
 */
export class HookChannel {
  readonly dir: string;
  private readonly requestFd: number;
  private readonly replyFd: number;
  private readonly socket: Socket;

  constructor(
    dir: string,
    handler: HookHandler,
    private readonly options: HookChannelOptions,
  ) {
    this.dir = dir;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    execFileSync('mkfifo', ['-m', '600', join(dir, 'request'), join(dir, 'reply')]);
    const flags = constants.O_RDWR | constants.O_NONBLOCK;
    this.requestFd = openSync(join(dir, 'request'), flags);
    this.replyFd = openSync(join(dir, 'reply'), constants.O_RDWR);
    this.socket = new Socket({ fd: this.requestFd, readable: true, writable: false });
    createInterface({ input: this.socket }).on('line', (line) => {
      void this.answer(line, handler);
    });
  }

  env(): HookChannelEnv {
    return {
      COHORT_SESSION_DIR: this.dir,
      COHORT_SESSION_PID: String(process.pid),
      COHORT_ACTIONS: this.options.actions.join(' '),
      COHORT_HOOK_TIMEOUT: String(this.options.timeoutSeconds),
    };
  }

  private async answer(line: string, handler: HookHandler): Promise<void> {
    const [nonce, action, pid] = line.trim().split(/\s+/);
    if (nonce === undefined || action === undefined) return;
    const request: HookRequest = { action };
    const initPid = Number(pid);
    if (Number.isInteger(initPid) && initPid > 0) request.initPid = initPid;
    let reply: HookReply;
    try {
      reply = await handler(request);
    } catch (error) {
      reply = { exitCode: 1, message: error instanceof Error ? error.message : String(error) };
    }
    // One write under PIPE_BUF is atomic: the hook never reads half a line.
    const message = reply.message.replace(/\s+/g, ' ').slice(0, 3000);
    writeSync(this.replyFd, `${nonce} ${reply.exitCode} ${message}\n`);
  }

  close(): void {
    this.socket.destroy();
    closeSync(this.replyFd);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
