import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { CallChannel, fifoPaths } from './channel.js';

const run = promisify(execFile);

/** A front door that took a channel says "@go" at once; one still silent after this has died. */
const SILENT_CLAIM_MS = 5_000;

/**
 * Keeps `size` fresh channels ready, so a front door takes one with a shell builtin (an O_EXCL
 * create of its claim file) instead of starting mkfifo. Each channel serves one call.
 */
export class ChannelPool {
  private readonly free = new Map<string, CallChannel>();
  private counter = 0;
  private filling: Promise<void> | undefined;
  private stopped = false;
  /** Calls being served: the pool refills only when there are none. */
  private active = 0;

  constructor(
    /** Where front doors look for channels. */
    private readonly dir: string,
    /** Where channels are made, so a front door never sees one without its FIFOs. */
    private readonly staging: string,
    private readonly onCall: (channel: CallChannel, line: string) => Promise<void>,
    private readonly size = 8,
  ) {}

  /** Fills the pool; resolves once `size` channels wait. */
  async start(): Promise<void> {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    mkdirSync(this.staging, { recursive: true, mode: 0o700 });
    await this.fill();
  }

  /** Makes the missing channels with one mkfifo; concurrent calls share the run under way. */
  fill(): Promise<void> {
    this.filling ??= this.makeChannels().finally(() => {
      this.filling = undefined;
    });
    return this.filling;
  }

  /** Retires channels a front door claimed and then left without a word. */
  sweep(now = Date.now()): void {
    for (const [dir, channel] of this.free) {
      const claim = channel.path('claim');
      if (!existsSync(claim)) continue;
      try {
        if (now - statSync(claim).mtimeMs < SILENT_CLAIM_MS) continue;
      } catch {
        continue;
      }
      this.free.delete(dir);
      channel.close();
    }
    this.refillWhenIdle();
  }

  /**
   * mkfifo is a process start, and forking this process stalls every answer it owes for a
   * moment: refill while no call waits on one (a front door finding none asks on the door).
   */
  private refillWhenIdle(): void {
    if (this.active === 0 && this.free.size < this.size) void this.fill();
  }

  stop(): void {
    this.stopped = true;
    for (const channel of this.free.values()) channel.close();
    this.free.clear();
  }

  private async makeChannels(): Promise<void> {
    const missing = this.size - this.free.size;
    if (this.stopped || missing <= 0) return;
    const dirs = Array.from({ length: missing }, () => {
      this.counter += 1;
      return join(this.staging, `${Date.now().toString(36)}-${this.counter}`);
    });
    for (const dir of dirs) mkdirSync(dir, { mode: 0o700 });
    const fifos = dirs.flatMap((dir) => fifoPaths(dir));
    await run('mkfifo', ['-m', '600', ...fifos]);
    for (const staged of dirs) {
      const dir = join(this.dir, basename(staged));
      renameSync(staged, dir);
      const channel = new CallChannel(dir);
      if (this.stopped) {
        channel.close();
        continue;
      }
      channel.onLine = (line) => {
        if (!line.startsWith('@go ') || !this.free.delete(dir)) return;
        this.active += 1;
        void this.onCall(channel, line).finally(() => {
          this.active -= 1;
          // Half the pool at a time: one mkfifo for many channels.
          if (this.free.size * 2 <= this.size) this.refillWhenIdle();
        });
      };
      this.free.set(dir, channel);
    }
  }
}
