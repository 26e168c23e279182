import { CohortError, ErrorCode } from '../../core/errors.js';
import { validateManifest } from '../manifest.js';
import type { GroupManifest } from '../types.js';
import type { Ctx } from './context.js';
import { record } from './history.js';

/** Stores a group's manifest; a round already open keeps the member set it opened with. */
export function applyGroup(ctx: Ctx, manifest: GroupManifest): void {
  record(ctx, { type: 'group-applied', at: ctx.now, manifest: validateManifest(manifest) });
}

export function deleteGroup(ctx: Ctx, name: string): void {
  if (!ctx.state.groups.has(name)) {
    throw new CohortError(
      ErrorCode.UnknownGroup,
      `group ${name} has no manifest here; nothing to delete (cohortctl group list shows them)`,
      {
        details: { group: name },
      },
    );
  }
  const round = ctx.state.open.get(name);
  if (round !== undefined) {
    throw new CohortError(
      ErrorCode.RoundBusy,
      `group ${name} has round ${round.epoch} open; delete it once the round ends`,
      {
        details: { group: name, epoch: round.epoch },
      },
    );
  }
  record(ctx, { type: 'group-deleted', at: ctx.now, name });
}
