import type { OpenRoundStatus } from '../../coordinator/types.js';
import type { CliIo } from '../context.js';
import { memberStageLabel } from '../stage-labels.js';
import { makeRedraw, type Redraw } from './redraw.js';

interface Row {
  member: string;
  label: string;
  stage: string;
  result?: string;
}

/**
 * One line per member that follows the coordinator's round. On a terminal the block is redrawn
 * in place; otherwise each change is one appended line, so logs read top to bottom.
 */
export class ProgressView {
  private readonly rows: Row[];
  private readonly redraw: Redraw | undefined;

  constructor(
    private readonly io: CliIo,
    members: readonly { member: string; label: string }[],
  ) {
    this.rows = members.map(({ member, label }) => ({ member, label, stage: 'waiting' }));
    this.redraw = io.isTty ? makeRedraw(io) : undefined;
    this.draw();
  }

  /** Takes the members' stages from the coordinator's view of the open round. */
  round(round: OpenRoundStatus): void {
    for (const status of round.members) {
      const row = this.rows.find((candidate) => candidate.member === status.name);
      if (row === undefined || row.result !== undefined) continue;
      this.set(row, `${memberStageLabel(round.kind, status.stage)} (epoch ${round.epoch})`);
    }
  }

  /** The member's engine command returned. */
  finish(member: string, result: string): void {
    const row = this.rows.find((candidate) => candidate.member === member);
    if (row === undefined) return;
    row.result = result;
    this.set(row, row.stage, true);
  }

  private set(row: Row, stage: string, force = false): void {
    const changed = force || row.stage !== stage;
    row.stage = stage;
    if (this.redraw !== undefined) this.draw();
    else if (changed) this.io.out(this.line(row, this.width()) + '\n');
  }

  private draw(): void {
    const width = this.width();
    this.redraw?.(this.rows.map((row) => this.line(row, width)).join('\n'));
  }

  private width(): number {
    return Math.max(...this.rows.map((row) => row.member.length));
  }

  private line(row: Row, width: number): string {
    const result = row.result === undefined ? '' : `  -> ${row.result}`;
    return `  ${row.member.padEnd(width)}  ${row.label}  ${row.stage}${result}`;
  }
}
