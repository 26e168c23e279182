import { spawn, type ChildProcess } from 'node:child_process';
import { PACKAGE_ROOT } from '../../../src/core/package-paths.js';
import { connectCoordinator, type CoordinatorClient } from '../../../src/coordinator/client.js';

/** A real cohortd child process, run from source through tsx; its stderr lines are kept. */
export class DaemonProcess {
  readonly lines: Record<string, unknown>[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcess;

  constructor(args: string[], env: Record<string, string> = {}) {
    this.child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/entries/cohortd-main.ts', ...args],
      {
        cwd: PACKAGE_ROOT,
        env: { ...process.env, ...env },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let buffer = '';
    this.child.stderr?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let newline: number;
      while ((newline = buffer.indexOf('\n')) !== -1) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        try {
          this.lines.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          this.lines.push({ raw: line });
        }
      }
    });
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => resolve({ code, signal })),
    );
  }

  /** Connects once the daemon answers (it needs a moment to start). */
  async client(address: string, reconnectWindowMs = 30_000): Promise<CoordinatorClient> {
    return connectCoordinator({ address, connectTimeoutMs: 20_000, reconnectWindowMs });
  }

  events(name: string): Record<string, unknown>[] {
    return this.lines.filter((line) => line.msg === name);
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }
}
