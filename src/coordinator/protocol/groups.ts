import { CohortError, ErrorCode } from '../../core/errors.js';
import { validateManifest } from '../manifest.js';
import type { GroupManifest } from '../types.js';
import type { Ctx } from './context.js';

/** Stores a group's manifest; a round already open keeps the member set it opened with. */
export function applyGroup(ctx: Ctx, manifest: GroupManifest): void {
  const valid = validateManifest(manifest);
  ctx.state.groups.set(valid.name, valid);
  ctx.fx.persist({ type: 'group-applied', at: ctx.now, manifest: valid });
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
  ctx.state.groups.delete(name);
  ctx.fx.persist({ type: 'group-deleted', at: ctx.now, name });
}
