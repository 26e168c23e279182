import { join } from 'node:path';
import { cohortVersion } from '../../core/package-paths.js';
import { readContainerState } from '../../runc/state.js';
import { coordinatorOptions } from '../../session/coordinator-options.js';
import { runSession } from '../../session/run-session.js';
import { verifyHookAttached } from '../../session/verify-hook.js';
import { readGroupDeclaration } from '../../spec/annotations.js';
import { parseCheckpointArgs } from '../command-args.js';
import { EXEC_RUNC, type RuntimeContext, type Verdict } from '../context.js';
import { requireSessionHost } from '../session-host-required.js';

/** `checkpoint`: a group member's dump goes through a session; anything else is plain runc. */
export async function checkpoint(context: RuntimeContext): Promise<Verdict> {
  const args = parseCheckpointArgs(context.argv.commandArgs, context.cwd);
  // --pre-dump copies memory ahead of a dump: nothing to agree on yet.
  if (args.help || args.id === undefined || args.preDump) return EXEC_RUNC;
  const runc = context.runc();
  const { globalArgs } = context.argv;
  const state = await readContainerState(runc, globalArgs, args.id, context.env);
  if (state === undefined) return EXEC_RUNC;
  const declaration = readGroupDeclaration(state.annotations, args.id);
  if (declaration === undefined) return EXEC_RUNC;

  const sessions = requireSessionHost(context, 'checkpoint', {
    ...declaration,
    containerId: args.id,
  });
  const config = context.config();
  verifyHookAttached(state.annotations, config.hook, args.id);
  await sessions.requireCriu(context.argv.globals.criu ?? 'criu');
  const result = await runSession(
    {
      kind: 'checkpoint',
      group: declaration.group,
      member: declaration.member,
      containerId: args.id,
      join: {
        group: declaration.group,
        member: declaration.member,
        kind: 'checkpoint',
        heartbeatMs: config.session.heartbeatMs,
        imageLocation: args.imagePath,
        ...(declaration.size === undefined ? {} : { declaredSize: declaration.size }),
        ...(declaration.members === undefined ? {} : { declaredMembers: declaration.members }),
      },
      coordinator: coordinatorOptions(config, declaration.coordinator),
      runc,
      globalArgs,
      env: context.env,
      imagePath: args.imagePath,
      ...(args.workPath === undefined ? {} : { criuLog: join(args.workPath, 'dump.log') }),
      cohortVersion: cohortVersion(),
      wasPaused: state.status === 'paused',
    },
    sessions,
  );
  if (result.error !== undefined) context.report('error', result.error);
  return { kind: 'done', exitCode: result.exitCode };
}
