import { readFileSync } from 'node:fs';
import { CohortError, ErrorCode } from '../../core/errors.js';
import { runcLastWords, type RuncExit } from '../../runc/exit.js';
import type { HookService, RuncLauncher } from '../../session/hook-service.js';
import type { CallChannel } from './channel.js';
import { answerHook } from './hook-desk.js';

/** How often a front door's pid is checked while its call runs. */
const WATCH_MS = 250;

/**
 * The caller's bin/cohort, seen from the host: it runs runc when told ("run"), says how runc
 * exited ("@exited"), and the hook it started asks its questions on the same channel.
 */
export class FrontDoor implements RuncLauncher {
  private hook: HookService | undefined;
  private exited: ((code: number) => void) | undefined;
  private goneAt: 'before-run' | 'during-run' | undefined;
  private readonly watch: NodeJS.Timeout;

  constructor(
    private readonly channel: CallChannel,
    /** The front door's pid, and the nonce of its lines. */
    readonly pid: number,
  ) {
    channel.onLine = (line) => this.onLine(line);
    this.watch = setInterval(() => this.checkAlive(), WATCH_MS);
  }

  run(hook: HookService, options: { captureStderr: boolean }): Promise<RuncExit> {
    if (this.goneAt !== undefined) return Promise.reject(this.goneError('before runc started'));
    this.hook = hook;
    const exited = new Promise<number>((resolve) => {
      this.exited = resolve;
    });
    const capture = options.captureStderr ? 1 : 0;
    this.channel.reply(
      `${this.pid} run ${capture} ${hook.timeoutSeconds} ${hook.actions.join(' ')}`,
    );
    return exited.then((exitCode) => ({
      exitCode,
      stderrTail:
        this.goneAt === 'during-run'
          ? `the front door (pid ${this.pid}) exited while runc ran`
          : options.captureStderr
            ? runcLastWords(readOrEmpty(this.channel.path('stderr')))
            : '',
    }));
  }

  /** The call's last word: exec runc as given, or write `say` to stderr and exit with `code`. */
  finish(verdict: { kind: 'exec' } | { kind: 'exit'; code: number; say: string }): void {
    clearInterval(this.watch);
    if (verdict.kind === 'exec') this.channel.reply(`${this.pid} exec`);
    else this.channel.reply(`${this.pid} exit ${verdict.code} ${forPrintfB(verdict.say)}`);
  }

  private onLine(line: string): void {
    const [first = '', second = '', third = ''] = line.split(' ');
    if (first === '@exited') {
      if (Number(second) === this.pid) this.exited?.(Number(third));
      return;
    }
    if (first.startsWith('@')) return;
    void answerHook(line, this.hook, (reply) => this.channel.reply(reply));
  }

  private checkAlive(): void {
    try {
      process.kill(this.pid, 0);
      return;
    } catch {
      // Gone: the caller killed it, or it died.
    }
    clearInterval(this.watch);
    this.goneAt = this.exited === undefined ? 'before-run' : 'during-run';
    // What runc did is unknown: the session reads it as a failure and fails the round closed.
    this.exited?.(137);
  }

  private goneError(when: string): CohortError {
    return new CohortError(
      ErrorCode.Session,
      `the front door (pid ${this.pid}) exited ${when}; the member's round is failed`,
      { details: { pid: this.pid } },
    );
  }
}

/** Text for bash's `printf %b` on one line: backslashes doubled, newlines as \n. */
export function forPrintfB(text: string): string {
  return text.replaceAll('\\', '\\\\').replaceAll('\n', '\\n');
}

function readOrEmpty(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
