import { spawn, type ChildProcess } from 'node:child_process';
import { PACKAGE_ROOT } from '../../../src/core/package-paths.js';
import type { EtcdOptions } from '../../../src/etcd/index.js';

export interface ContenderLine {
  event: string;
  name: string;
  at: number;
  [fact: string]: unknown;
}

/** A contender child process (support/contender.ts through tsx) and the lines it printed. */
export class ContenderProcess {
  readonly lines: ContenderLine[] = [];
  readonly exited: Promise<void>;
  private readonly child: ChildProcess;
  private readonly waiters: (() => void)[] = [];
  private stderr = '';

  constructor(
    readonly name: string,
    etcd: EtcdOptions,
  ) {
    this.child = spawn(
      process.execPath,
      ['--import', 'tsx', 'test/etcd/support/contender.ts', JSON.stringify({ name, etcd })],
      { cwd: PACKAGE_ROOT, stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let buffer = '';
    this.child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let newline: number;
      while ((newline = buffer.indexOf('\n')) !== -1) {
        this.lines.push(JSON.parse(buffer.slice(0, newline)) as ContenderLine);
        buffer = buffer.slice(newline + 1);
        for (const wake of this.waiters.splice(0)) wake();
      }
    });
    this.child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) =>
      this.child.once('exit', () => {
        for (const wake of this.waiters.splice(0)) wake();
        resolve();
      }),
    );
  }

  /** The first line with this event after `since` lines, waiting up to `timeoutMs`. */
  async next(event: string, since = 0, timeoutMs = 15_000): Promise<ContenderLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.lines.slice(since).find((line) => line.event === event);
      if (found !== undefined) return found;
      const left = deadline - Date.now();
      if (left <= 0 || this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(
          `${this.name}: no '${event}' line within ${timeoutMs} ms; stderr: ${this.stderr}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  count(event: string): number {
    return this.lines.filter((line) => line.event === event).length;
  }

  send(line: string): void {
    this.child.stdin?.write(line + '\n');
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }
}
