import { CohortError, ErrorCode } from '../../core/errors.js';
import { completeMember } from './completion.js';
import type { Ctx } from './context.js';
import type { CompleteReport } from './inputs.js';
import { isKnownGroup, unknownGroup } from './queries.js';
import { historyRecord } from './state.js';
import { closedError } from './stream-message.js';

/** A completion by unary call, from a member whose stream was lost after the decision. */
export function handleReportComplete(ctx: Ctx, report: CompleteReport): void {
  if (!isKnownGroup(ctx.state, report.group)) throw unknownGroup(report.group);
  const round = ctx.state.open.get(report.group);
  if (round?.epoch === report.epoch) {
    const member = round.members.get(report.member);
    if (member === undefined) {
      throw new CohortError(
        ErrorCode.NotMember,
        `member ${report.member} is not in round ${report.epoch} of group ${report.group}`,
        {
          details: { group: report.group, member: report.member, epoch: report.epoch },
        },
      );
    }
    const error = completeMember(ctx, round, member, report, undefined);
    if (error !== undefined) throw error;
    return;
  }
  const record = historyRecord(ctx.state, report.group, report.epoch);
  if (record === undefined) {
    throw new CohortError(
      ErrorCode.StaleEpoch,
      `group ${report.group} has no round ${report.epoch}`,
      {
        details: { group: report.group, epoch: report.epoch },
      },
    );
  }
  if (record.outcome === 'aborted') throw closedError(record);
}
